DROP TABLE IF EXISTS {{schema}}.schedule_ticks;
DROP TABLE IF EXISTS {{schema}}.schedules;

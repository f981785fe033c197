-- scheduler_state: what the schedulers are doing, from what they write: whether they
-- are paused (scheduler_control, 0005_admin.sql), the most overdue enabled schedule
-- (lag: a running scheduler keeps it under its poll interval), and the last cycle
-- recorded (the last evaluation that did something).
SELECT (SELECT c.paused FROM {{schema}}.scheduler_control c WHERE c.id) AS paused,
       (SELECT c.changed_at FROM {{schema}}.scheduler_control c WHERE c.id) AS changed_at,
       (SELECT count(*)::int FROM {{schema}}.schedules s) AS schedules,
       (SELECT count(*)::int FROM {{schema}}.schedules s WHERE s.enabled) AS enabled,
       (SELECT min(s.next_tick_at) FROM {{schema}}.schedules s WHERE s.enabled AND s.next_tick_at <= now()) AS oldest_due_at,
       (SELECT max(t.recorded_at) FROM {{schema}}.schedule_ticks t) AS last_recorded_at

DROP TABLE IF EXISTS {{schema}}.scheduler_evaluators;

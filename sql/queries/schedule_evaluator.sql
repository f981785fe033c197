-- schedule_evaluator: this process claimed $2 schedules just now (in the evaluation's
-- transaction). Its own row only, so evaluators never wait on each other; written at
-- most once a second per process (claimed then counts since the last write is lost,
-- it is a rough figure).
--   $1 text worker id   $2 int schedules claimed
INSERT INTO {{schema}}.scheduler_evaluators AS e (worker_id, evaluated_at, claimed)
VALUES ($1, now(), $2)
ON CONFLICT (worker_id) DO UPDATE SET evaluated_at = now(), claimed = e.claimed + $2
 WHERE e.evaluated_at < now() - interval '1 second'

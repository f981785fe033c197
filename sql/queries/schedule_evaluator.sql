-- schedule_evaluator: this process claimed $2 more schedules (since its last write).
-- Its own row only; the loop writes it after the evaluation's commit, at most once a
-- second (src/scheduler/loop.ts), so evaluations never wait on it.
--   $1 text worker id   $2 int schedules claimed since the last write
INSERT INTO {{schema}}.scheduler_evaluators AS e (worker_id, evaluated_at, claimed)
VALUES ($1, now(), $2)
ON CONFLICT (worker_id) DO UPDATE SET evaluated_at = now(), claimed = e.claimed + $2

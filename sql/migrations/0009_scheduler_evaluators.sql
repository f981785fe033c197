-- Which processes evaluate schedules: each scheduler loop upserts its process's row
-- (rota.workerId) after an evaluation that claimed schedules, at most once a second, so
-- GET /api/scheduler and `rota schedule status` can name them. One row per process,
-- pruned with the worker rows (rota.admin.prune).
CREATE TABLE {{schema}}.scheduler_evaluators (
  worker_id    text        PRIMARY KEY,
  evaluated_at timestamptz NOT NULL,
  claimed      bigint      NOT NULL DEFAULT 0
);

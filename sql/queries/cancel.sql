-- cancel: move a job that is not running to jobs_done as cancelled.
--   $1 bigint id
-- A running job is not touched (its handler owns it until it finishes or its lease expires).
-- Its lane's ready count goes down through a lane_changes row (0003_fairness.sql).
WITH gone AS (
  DELETE FROM {{schema}}.jobs WHERE id = $1 AND state = 'available'
  RETURNING id, queue, tenant, priority, payload, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at
),
journaled AS (
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running)
  SELECT queue, ARRAY[tenant], ARRAY[priority], ARRAY[-1], ARRAY[0] FROM gone
)
INSERT INTO {{schema}}.jobs_done
       (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at)
SELECT id, queue, tenant, priority, 'cancelled', payload, NULL, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at
  FROM gone
RETURNING id

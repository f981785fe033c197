-- cancel_jobs: cancel live jobs. Waiting ones (available, scheduled) move to jobs_done
-- as cancelled at once; running ones get cancel_requested_at and a NOTIFY on
-- <schema>.cancel, so the process running each aborts its ctx.signal and its finish
-- archives it as cancelled (finish_batch.sql; rescue.sql if that process is gone).
--   $1 bigint[] ids   $2 text tenant (NULL: any)   $3 text notify channel
-- The lanes' ready counts go down through a lane_changes row, as in cancel.sql.
WITH gone AS (
  DELETE FROM {{schema}}.jobs j
   WHERE j.id = ANY ($1::bigint[]) AND j.state = 'available' AND ($2::text IS NULL OR j.tenant = $2)
  RETURNING j.*
),
journaled AS (
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running)
  SELECT g.queue, array_agg(g.tenant), array_agg(g.priority), array_agg(g.n), array_agg(0)
    FROM (SELECT queue, tenant, priority, -count(*)::int AS n FROM gone GROUP BY 1, 2, 3) g
   GROUP BY g.queue
),
archived AS (
  INSERT INTO {{schema}}.jobs_done
         (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at,
          started_at, attempts)
  SELECT id, queue, tenant, priority, 'cancelled', payload, NULL, errors, attempt, max_attempts, dedup_key, run_at, created_at,
         started_at, attempts
    FROM gone
  RETURNING id
),
requested AS (
  UPDATE {{schema}}.jobs j SET cancel_requested_at = coalesce(j.cancel_requested_at, now())
   WHERE j.id = ANY ($1::bigint[]) AND j.state = 'running' AND ($2::text IS NULL OR j.tenant = $2)
  RETURNING j.id
),
notified AS (
  SELECT count(pg_notify($3, r.id::text)) AS n FROM requested r
)
SELECT (SELECT count(*) FROM archived)::int AS cancelled,
       (SELECT count(*) FROM requested)::int AS requested,
       (SELECT n FROM notified)::int AS notified

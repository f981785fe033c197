-- retry_jobs: dead or cancelled jobs back to the queue, available now, with a fresh
-- set of attempts (their errors and attempt history are kept: done_attempts(), though
-- only a clean completion, never retried here, has an entry to derive).
--   $1 bigint[] ids   $2 text tenant (a tenant-scoped caller; NULL: any)
-- The job keeps its id (OVERRIDING SYSTEM VALUE), so links to it stay valid. Its
-- lane's ready count goes up through the insert trigger's lane_changes row
-- (note_jobs_inserted, 0003_fairness.sql), as for any enqueue. A job whose dedup key
-- is live again (enqueued since) is left finished rather than failing the statement.
WITH gone AS (
  DELETE FROM {{schema}}.jobs_done d
   WHERE d.id = ANY ($1::bigint[])
     AND d.state IN ('dead', 'cancelled')
     AND ($2::text IS NULL OR d.tenant = $2)
     AND (d.dedup_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM {{schema}}.jobs l WHERE l.queue = d.queue AND l.tenant = d.tenant AND l.dedup_key = d.dedup_key))
  RETURNING d.*
)
INSERT INTO {{schema}}.jobs
       (id, queue, tenant, priority, state, payload, run_at, attempt, max_attempts, dedup_key, errors, attempts, created_at, timeout_ms)
OVERRIDING SYSTEM VALUE
SELECT g.id, g.queue, g.tenant, g.priority, 'available', g.payload, now(), 0, g.max_attempts, g.dedup_key, g.errors,
       {{schema}}.done_attempts(g.attempts, g.worker, g.attempt, g.started_at, g.finished_at), g.created_at, g.timeout_ms
  FROM gone g
RETURNING id

-- rescue: give back jobs whose lease expired (their process died or lost the database
-- for longer than the lease). The attempt that was running counts; a job with no
-- attempts left is moved to jobs_done as dead. Any live worker runs this periodically;
-- SKIP LOCKED lets several do so at once without blocking each other.
--   $1 int  max rows per run
-- Reads jobs_lease_idx (running rows only, ordered by lease_expires_at).
WITH expired AS (
  SELECT id FROM {{schema}}.jobs
   WHERE state = 'running' AND lease_expires_at < now()
   ORDER BY lease_expires_at
   LIMIT $1
   FOR UPDATE SKIP LOCKED
),
noted AS (
  SELECT j.id,
         j.errors || jsonb_build_array(jsonb_build_object(
           'attempt', j.attempt, 'at', now(), 'name', 'LeaseExpired',
           'message', 'lease expired: worker ' || coalesce(j.locked_by, '?') || ' stopped renewing it')) AS errors,
         j.attempt >= j.max_attempts AS exhausted
    FROM {{schema}}.jobs j JOIN expired e ON e.id = j.id
),
died AS (
  DELETE FROM {{schema}}.jobs j USING noted n
   WHERE j.id = n.id AND n.exhausted
  RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, n.errors, j.attempt, j.max_attempts,
            j.dedup_key, j.run_at, j.created_at, j.started_at
),
archived AS (
  INSERT INTO {{schema}}.jobs_done
         (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at)
  SELECT id, queue, tenant, priority, 'dead', payload, NULL, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at
    FROM died
  RETURNING id
),
requeued AS (
  UPDATE {{schema}}.jobs j
     SET state = 'available', run_at = now(), errors = n.errors, locked_by = NULL, lease_expires_at = NULL
    FROM noted n
   WHERE j.id = n.id AND NOT n.exhausted
  RETURNING j.id, j.queue
)
SELECT (SELECT count(*) FROM archived)::int AS dead,
       (SELECT count(*) FROM requeued)::int AS requeued,
       coalesce((SELECT array_agg(DISTINCT queue) FROM requeued), '{}') AS queues

-- rescue: give back jobs whose lease expired (their process died or lost the database
-- for longer than the lease). The attempt that was running counts; a job with no
-- attempts left is moved to jobs_done as dead. Any live worker runs this periodically;
-- SKIP LOCKED lets several do so at once without blocking each other.
--   $1 int  max rows per run
-- Reads jobs_lease_idx (running rows only, ordered by lease_expires_at). The running
-- and ready counts change through a lane_changes row, as in finish_batch.sql. The lost
-- attempt is appended to `attempts`; a job whose cancel was requested ends cancelled.
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
         j.attempts || jsonb_build_array(jsonb_build_object(
           'attempt', j.attempt, 'worker', j.locked_by, 'startedAt', j.started_at, 'endedAt', now(), 'outcome', 'lease-expired',
           'error', jsonb_build_object('name', 'LeaseExpired', 'message', 'lease expired'))) AS attempts,
         j.attempt >= j.max_attempts OR j.cancel_requested_at IS NOT NULL AS exhausted,
         j.cancel_requested_at IS NOT NULL AS cancelled
    FROM {{schema}}.jobs j JOIN expired e ON e.id = j.id
),
died AS (
  DELETE FROM {{schema}}.jobs j USING noted n
   WHERE j.id = n.id AND n.exhausted
  RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, n.errors, j.attempt, j.max_attempts,
            j.dedup_key, j.run_at, j.created_at, j.started_at, n.attempts, n.cancelled
),
archived AS (
  INSERT INTO {{schema}}.jobs_done
         (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at, attempts)
  SELECT id, queue, tenant, priority, CASE WHEN cancelled THEN 'cancelled' ELSE 'dead' END, payload, NULL, errors, attempt, max_attempts,
         dedup_key, run_at, created_at, started_at, attempts
    FROM died
  RETURNING id
),
requeued AS (
  UPDATE {{schema}}.jobs j
     -- run_at is kept: the job goes back to its place in line, not behind the backlog
     -- that arrived while it was held by the dead worker.
     SET state = 'available', errors = n.errors, attempts = n.attempts, locked_by = NULL, lease_expires_at = NULL
    FROM noted n
   WHERE j.id = n.id AND NOT n.exhausted
  RETURNING j.id, j.queue, j.tenant, j.priority, j.run_at
),
moved AS (
  SELECT queue, tenant, priority, 0 AS d_ready, -1 AS d_running, NULL::timestamptz AS ready_at FROM died
  UNION ALL
  SELECT queue, tenant, priority, 1, -1, run_at FROM requeued
),
journaled AS (
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running, ready_at)
  SELECT queue, array_agg(tenant), array_agg(priority), array_agg(d_ready), array_agg(d_running), array_agg(ready_at)
    FROM (SELECT queue, tenant, priority, sum(d_ready)::int AS d_ready, sum(d_running)::int AS d_running, min(ready_at) AS ready_at
            FROM moved GROUP BY 1, 2, 3) g
   GROUP BY queue
)
SELECT (SELECT count(*) FROM archived)::int AS dead,
       (SELECT count(*) FROM requeued)::int AS requeued,
       coalesce((SELECT array_agg(DISTINCT queue) FROM requeued), '{}') AS queues

-- rescue: give back jobs whose lease expired (their process died or lost the database
-- for longer than the lease). The attempt that was running counts; a job with no
-- attempts left is moved to jobs_done as dead. Any live worker runs this periodically;
-- SKIP LOCKED lets several do so at once without blocking each other.
--   $1 int       max rows per run
--   $2 text      the rescuing worker's id
--   $3 bigint[]  ids of the jobs it still holds: never rescued by it (a process frozen
--                for longer than its lease renews them at its next heartbeat instead);
--                NULL while one of its claims is in flight: none of its jobs then
-- Reads jobs_lease_idx (running rows only, ordered by lease_expires_at). The rows stay
-- locked by this statement while move_jobs() (sql/functions/move_jobs.sql) moves them
-- (requeued at their old run_at, so back to their place in line, not behind the backlog
-- that arrived while a dead worker held them). The lost attempt is appended to
-- `attempts` (outcome 'lease-expired'); a job whose cancel was requested ends cancelled.
WITH expired AS (
  SELECT j.id, j.attempt, j.max_attempts, j.locked_by FROM {{schema}}.jobs j
   WHERE j.state = 'running' AND j.lease_expires_at < now()
     AND NOT (j.locked_by = $2 AND ($3::bigint[] IS NULL OR j.id = ANY ($3::bigint[])))
   ORDER BY j.lease_expires_at
   LIMIT $1
   FOR UPDATE SKIP LOCKED
),
moved AS (
  SELECT m.* FROM {{schema}}.move_jobs(
    (SELECT coalesce(jsonb_agg(jsonb_build_object(
              'i', e.id, 'a', e.attempt, 'o', 'lease-expired', 'k', CASE WHEN e.attempt >= e.max_attempts THEN 'dead' ELSE 'rescue' END,
              'e', jsonb_build_object('attempt', e.attempt, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'name', 'LeaseExpired',
                                      'message', 'lease expired: worker ' || coalesce(e.locked_by, '?') || ' stopped renewing it'))),
                     '[]')
       FROM expired e)) AS m
)
SELECT count(*) FILTER (WHERE m.state = 'dead')::int AS dead,
       count(*) FILTER (WHERE m.state = 'available')::int AS requeued,
       coalesce(array_agg(DISTINCT m.queue) FILTER (WHERE m.state = 'available'), '{}') AS queues
  FROM moved m

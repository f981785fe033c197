-- rescue_orphans: give back every job held by worker processes whose database sessions
-- are gone (src/worker/sessions.ts confirmed it twice), without waiting for their
-- leases to expire, and forget those workers.
--   $1 text[]  worker ids
-- As rescue.sql: the attempt that was running counts, a job with none left is dead,
-- the others go back to their place in line; move_jobs() moves and journals them.
-- A worker whose session is back (it reconnected meanwhile) is left alone.
WITH gone AS (
  SELECT w.id FROM {{schema}}.workers w
   WHERE w.id = ANY ($1::text[])
     AND w.stats ->> 'listener' IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = w.stats ->> 'listener')
),
forgotten AS (
  DELETE FROM {{schema}}.workers w USING gone g WHERE w.id = g.id
),
held AS (
  SELECT j.id, j.attempt, j.max_attempts, j.locked_by FROM {{schema}}.jobs j
   WHERE j.state = 'running' AND j.locked_by IN (SELECT g.id FROM gone g)
   FOR UPDATE SKIP LOCKED
),
moved AS (
  SELECT m.* FROM {{schema}}.move_jobs(
    (SELECT coalesce(jsonb_agg(jsonb_build_object(
              'i', h.id, 'a', h.attempt, 'o', 'worker-lost', 'k', CASE WHEN h.attempt >= h.max_attempts THEN 'dead' ELSE 'rescue' END,
              'e', jsonb_build_object('attempt', h.attempt, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'name', 'WorkerLost',
                                      'message', 'worker ' || h.locked_by || ' lost its database sessions (process died)'))),
                     '[]')
       FROM held h)) AS m
)
SELECT count(*) FILTER (WHERE m.state = 'dead')::int AS dead,
       count(*) FILTER (WHERE m.state = 'available')::int AS requeued,
       coalesce(array_agg(DISTINCT m.queue) FILTER (WHERE m.state = 'available'), '{}') AS queues
  FROM moved m

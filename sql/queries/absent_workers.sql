-- absent_workers: registered worker processes whose LISTEN session is gone.
--   $1 text  the caller's worker id (left out)
-- A worker holds its LISTEN connection for its whole life under the application_name
-- it registers in stats->>'listener' (src/worker/sessions.ts), and registers only once
-- that connection is up; a registered worker with no such session has died (or lost
-- the database). Rows without stats->>'listener' (versions before this check, whose
-- sessions cannot be told apart) are left to lease expiry.
-- pg_stat_activity is read once (hash anti join); `workers` holds a row per process.
SELECT w.id
  FROM {{schema}}.workers w
 WHERE w.id <> $1
   AND w.stats ->> 'listener' IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = w.stats ->> 'listener')

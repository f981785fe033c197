-- absent_workers: registered worker processes whose LISTEN session is gone.
--   $1 text  the caller's worker id (left out)
--   $2 text  application_name prefix of LISTEN sessions (src/worker/sessions.ts)
-- A worker holds its LISTEN connection for its whole life, named prefix || the first
-- 16 hex digits of md5(worker id), and registers in `workers` only once it is
-- connected; a registered worker with no such session has died (or lost the database).
-- pg_stat_activity is read once (hash anti join); `workers` holds a row per process.
SELECT w.id
  FROM {{schema}}.workers w
 WHERE w.id <> $1
   AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = $2 || left(md5(w.id), 16))

-- prune: what grows without bound besides jobs (jobs_done drops whole partitions, and
-- the scheduler prunes its own cycles): rows of worker processes gone silent, breaker
-- history, the API's audit log and job logs past the retention.
--   $1 double precision  worker rows: silent for this many ms
--   $2 double precision  breaker history, audit log and job logs: older than this many ms
--   $3 int               most rows per table per run (call again while it returns $3)
WITH workers AS (
  DELETE FROM {{schema}}.workers w
   WHERE w.id IN (SELECT x.id FROM {{schema}}.workers x
                   WHERE x.heartbeat_at < now() - $1 * interval '1 millisecond' LIMIT $3)
  RETURNING 1
),
-- One row per scheduler process (0009): gone with its worker row's staleness; not counted.
evaluators AS (
  DELETE FROM {{schema}}.scheduler_evaluators e
   WHERE e.evaluated_at < now() - $1 * interval '1 millisecond'
),
breakers AS (
  DELETE FROM {{schema}}.breaker_history h
   WHERE h.id IN (SELECT x.id FROM {{schema}}.breaker_history x
                   WHERE x.at < now() - $2 * interval '1 millisecond' ORDER BY x.id LIMIT $3)
  RETURNING 1
),
audit AS (
  DELETE FROM {{schema}}.audit_log a
   WHERE a.id IN (SELECT x.id FROM {{schema}}.audit_log x
                   WHERE x.at < now() - $2 * interval '1 millisecond' ORDER BY x.at LIMIT $3)
  RETURNING 1
),
logs AS (
  DELETE FROM {{schema}}.job_logs g
   WHERE g.job_id IN (SELECT x.job_id FROM {{schema}}.job_logs x
                       WHERE x.updated_at < now() - $2 * interval '1 millisecond' ORDER BY x.updated_at LIMIT $3)
  RETURNING 1
)
SELECT (SELECT count(*) FROM workers)::int AS workers, (SELECT count(*) FROM breakers)::int AS breaker_history,
       (SELECT count(*) FROM audit)::int AS audit, (SELECT count(*) FROM logs)::int AS job_logs

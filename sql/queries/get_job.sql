-- get_job: one job by id, live or finished.
--   $1 bigint id
-- jobs by primary key, then jobs_done by jobs_done_id_idx (every partition's index).
SELECT id, queue, tenant, priority,
       CASE WHEN state = 'available' AND run_at > now() THEN 'scheduled' ELSE state END AS state,
       payload, NULL::jsonb AS result, errors, attempt, max_attempts, timeout_ms, dedup_key,
       run_at, created_at, started_at, NULL::timestamptz AS finished_at, locked_by
  FROM {{schema}}.jobs WHERE id = $1
UNION ALL
SELECT id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, timeout_ms, dedup_key,
       run_at, created_at, started_at, finished_at, NULL
  FROM {{schema}}.jobs_done WHERE id = $1
LIMIT 1

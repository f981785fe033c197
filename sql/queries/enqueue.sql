-- enqueue: insert a chunk of jobs of one queue.
--   $1 text  queue
--   $2 json  array of {t: tenant, p: priority, d: payload, r: run_at|null, m: delay_ms|null,
--            a: max_attempts|null, o: timeout_ms|null, k: dedup_key|null}
--   $3 int   max_attempts when a is null and the queue stores no retry.maxAttempts
-- max_attempts: the job's own, else the queue's stored retry policy (0010_queue_retry.sql),
-- else rota's defaultMaxAttempts. The uncorrelated sub-select is an InitPlan: one
-- queue_state primary-key probe per statement, not per row.
-- Rows come back in input order (a function scan feeding the insert, no sort); rows
-- skipped by the dedup index do not come back, and the caller maps them by key.
-- The statement trigger notifies workers once per queue.
INSERT INTO {{schema}}.jobs (queue, tenant, priority, payload, run_at, max_attempts, timeout_ms, dedup_key)
SELECT $1, r.t, r.p, coalesce(r.d, 'null'::jsonb),  -- a JSON null payload arrives as SQL NULL
       coalesce(r.r, now() + coalesce(r.m, 0) * interval '1 millisecond'),
       coalesce(r.a, (SELECT s.retry_max_attempts FROM {{schema}}.queue_state s WHERE s.queue = $1), $3::int), r.o, r.k
  FROM json_to_recordset($2::json) AS r(t text, p smallint, d jsonb, r timestamptz, m double precision, a integer, o integer, k text)
ON CONFLICT (queue, tenant, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
RETURNING id, tenant, dedup_key

-- A queue's retry policy as a stored setting (issue #12): operators change it at run
-- time (rota.queue(name).configure({ retry }), `rota queue configure --max-attempts …`,
-- PATCH /api/queues/:queue, the dashboard) without a deploy. NULL: not set, so the
-- code's value applies (see docs/resilience.md, "Retry policy").
--   retry_max_attempts  read by enqueue.sql for jobs enqueued without maxAttempts
--   retry_base_ms / retry_max_ms / retry_jitter  read by worker processes (with their
--                       heartbeat) for the backoff after a failed attempt
-- Nullable columns without defaults: adding them rewrites nothing.
ALTER TABLE {{schema}}.queue_state
  ADD COLUMN retry_max_attempts integer          CHECK (retry_max_attempts BETWEEN 1 AND 1000),
  ADD COLUMN retry_base_ms      integer          CHECK (retry_base_ms >= 0),
  ADD COLUMN retry_max_ms       integer          CHECK (retry_max_ms >= 0),
  ADD COLUMN retry_jitter       double precision CHECK (retry_jitter >= 0 AND retry_jitter <= 1);

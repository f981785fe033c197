-- Finished jobs keep their per-attempt timeout, so getJob reports the same timeoutMs
-- before and after a job finishes, and a retried job runs with the timeout it had.
ALTER TABLE {{schema}}.jobs_done ADD COLUMN timeout_ms integer;

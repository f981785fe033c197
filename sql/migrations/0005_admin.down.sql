DROP TABLE IF EXISTS {{schema}}.scheduler_control;
DROP TABLE IF EXISTS {{schema}}.job_logs;
DROP INDEX IF EXISTS {{schema}}.jobs_done_tenant_idx;
DROP INDEX IF EXISTS {{schema}}.jobs_done_recent_idx;
ALTER TABLE {{schema}}.jobs_done DROP COLUMN IF EXISTS attempts;
ALTER TABLE {{schema}}.jobs DROP COLUMN IF EXISTS attempts;
ALTER TABLE {{schema}}.jobs DROP COLUMN IF EXISTS cancel_requested_at;
DROP TABLE IF EXISTS {{schema}}.audit_log;
DROP TABLE IF EXISTS {{schema}}.api_tokens;

DROP TABLE IF EXISTS {{schema}}.job_logs;
ALTER TABLE {{schema}}.jobs_done DROP COLUMN IF EXISTS attempts;
ALTER TABLE {{schema}}.jobs DROP COLUMN IF EXISTS attempts;
DROP TABLE IF EXISTS {{schema}}.audit_log;
DROP TABLE IF EXISTS {{schema}}.api_tokens;

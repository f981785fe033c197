ALTER TABLE {{schema}}.jobs_done DROP COLUMN IF EXISTS timeout_ms;

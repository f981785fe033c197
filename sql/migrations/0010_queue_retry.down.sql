ALTER TABLE {{schema}}.queue_state
  DROP COLUMN IF EXISTS retry_max_attempts,
  DROP COLUMN IF EXISTS retry_base_ms,
  DROP COLUMN IF EXISTS retry_max_ms,
  DROP COLUMN IF EXISTS retry_jitter;

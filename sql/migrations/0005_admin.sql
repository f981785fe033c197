-- rota 0005: what the management API needs (issue #10).
--
--   api_tokens  bearer tokens for the REST API: only a SHA-256 of the secret is kept
--               (secrets are 32 random bytes, so a slow hash adds nothing), a role
--               (admin ⊃ operator ⊃ viewer) and optionally the one tenant the token
--               may see. Revoked tokens stay for the audit trail.
--   audit_log   one row per write through the API: who, what, on which job / filter,
--               how many rows it touched.
--   attempts    per job, one entry per finished attempt {attempt, worker, startedAt,
--               endedAt, error}, appended by the statement that ends the attempt
--               (finish_batch.sql, rescue.sql), like River's attempted_by.
--   cancel_requested_at  see below.
--   job_logs    ctx.log lines and ctx.progress of a job, bounded (the newest 100 lines
--               / 64 KiB), written by the status batcher once per batch. A table of
--               its own so a log line never rewrites the job row (payload and all).
--
-- {{schema}} is replaced by the configured schema name (validated, quoted).

CREATE TABLE {{schema}}.api_tokens (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text        NOT NULL,
  role         text        NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  tenant       text,
  secret_hash  bytea       NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
-- A name identifies one live token (the audit log records names).
CREATE UNIQUE INDEX api_tokens_live_name_idx ON {{schema}}.api_tokens (name) WHERE revoked_at IS NULL;

CREATE TABLE {{schema}}.audit_log (
  id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text        NOT NULL,
  tenant  text,
  action  text        NOT NULL,
  target  text,
  filter  jsonb,
  count   integer
);
-- Pruned by time.
CREATE INDEX audit_log_at_idx ON {{schema}}.audit_log (at);

ALTER TABLE {{schema}}.jobs ADD COLUMN attempts jsonb NOT NULL DEFAULT '[]';
-- Set by an admin cancel of a running job: its worker aborts ctx.signal (NOTIFY
-- <schema>.cancel), and finish_batch.sql / rescue.sql archive it as cancelled.
ALTER TABLE {{schema}}.jobs ADD COLUMN cancel_requested_at timestamptz;
ALTER TABLE {{schema}}.jobs_done ADD COLUMN attempts jsonb NOT NULL DEFAULT '[]';

-- Browsing finished jobs newest first (sql/queries/admin/list_done.sql): without a
-- filter, and by queue and tenant (the core's jobs_done_queue_idx serves queue + state).
-- Each is one more entry per finished job; docs/admin-api.md has the measurement.
CREATE INDEX jobs_done_recent_idx ON {{schema}}.jobs_done (finished_at, id);
CREATE INDEX jobs_done_tenant_idx ON {{schema}}.jobs_done (queue, tenant, finished_at, id);

CREATE TABLE {{schema}}.job_logs (
  job_id     bigint      PRIMARY KEY,
  lines      jsonb       NOT NULL DEFAULT '[]',
  progress   jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Pruned with the retention of finished jobs, by time.
CREATE INDEX job_logs_updated_idx ON {{schema}}.job_logs (updated_at);

-- Pauses every scheduler at once (REST POST /api/scheduler/pause): schedule_claim.sql
-- claims nothing while paused, so no process evaluates; ticks that pass meanwhile are
-- handled by each schedule's missed-tick policy on resume. One row.
CREATE TABLE {{schema}}.scheduler_control (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
  paused     boolean     NOT NULL DEFAULT false,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text
);
INSERT INTO {{schema}}.scheduler_control DEFAULT VALUES;

-- rota 0001: the job tables.
--
-- Design (see docs/architecture.md for the measurements behind it):
--   jobs       live jobs only (available, scheduled = available with run_at in the
--              future, running). Small and hot: the claim's partial index and the
--              lease index cover it, and vacuum keeps up because finished rows leave.
--   jobs_done  finished jobs (completed with result, dead with errors, cancelled),
--              range-partitioned by day of finished_at. Retention drops whole
--              partitions; nothing on the claim path ever reads it.
-- A job moves from jobs to jobs_done in the same statement that finishes it
-- (DELETE … RETURNING feeding an INSERT), so it is always in exactly one of them.
--
-- {{schema}} is replaced by the configured schema name (validated, quoted).

CREATE TABLE {{schema}}.jobs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue            text        NOT NULL,
  tenant           text        NOT NULL DEFAULT 'default',
  -- 0 urgent, 1 high, 2 normal, 3 low: smaller claims first.
  priority         smallint    NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3),
  state            text        NOT NULL DEFAULT 'available' CHECK (state IN ('available', 'running')),
  payload          jsonb       NOT NULL,
  run_at           timestamptz NOT NULL DEFAULT now(),
  attempt          integer     NOT NULL DEFAULT 0,
  max_attempts     integer     NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  timeout_ms       integer     CHECK (timeout_ms > 0),
  dedup_key        text,
  errors           jsonb       NOT NULL DEFAULT '[]',
  created_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  locked_by        text,
  lease_expires_at timestamptz
);

-- The claim path: only runnable rows, in claim order. Running rows leave the index,
-- so its size is the backlog, and a claim reads the first rows of one queue.
CREATE INDEX jobs_claim_idx ON {{schema}}.jobs (queue, priority, run_at, id)
  WHERE state = 'available';

-- The rescuer's scan for expired leases: only running rows.
CREATE INDEX jobs_lease_idx ON {{schema}}.jobs (lease_expires_at)
  WHERE state = 'running';

-- A dedup key is unique among live jobs of a (queue, tenant). Finished jobs are in
-- jobs_done, so the same key can be used again once the job has finished.
CREATE UNIQUE INDEX jobs_dedup_idx ON {{schema}}.jobs (queue, tenant, dedup_key)
  WHERE dedup_key IS NOT NULL;

CREATE TABLE {{schema}}.jobs_done (
  id           bigint      NOT NULL,
  queue        text        NOT NULL,
  tenant       text        NOT NULL,
  priority     smallint    NOT NULL,
  state        text        NOT NULL CHECK (state IN ('completed', 'dead', 'cancelled')),
  payload      jsonb       NOT NULL,
  result       jsonb,
  errors       jsonb       NOT NULL DEFAULT '[]',
  attempt      integer     NOT NULL,
  max_attempts integer     NOT NULL,
  dedup_key    text,
  run_at       timestamptz NOT NULL,
  created_at   timestamptz NOT NULL,
  started_at   timestamptz,
  finished_at  timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (finished_at);

-- Lookups by id (getJob) and listings by queue/state/time (status, later the API).
CREATE INDEX jobs_done_id_idx ON {{schema}}.jobs_done (id);
CREATE INDEX jobs_done_queue_idx ON {{schema}}.jobs_done (queue, state, finished_at);

-- Safety net: rows land here only if the daily partitions were not created in time.
-- Maintenance moves them into their day's partition when it creates it.
CREATE TABLE {{schema}}.jobs_done_default PARTITION OF {{schema}}.jobs_done DEFAULT;

-- Wake workers when runnable jobs arrive. One notification per (statement, queue):
-- a bulk insert of 5,000 jobs sends one. Delayed jobs are found by polling.
CREATE FUNCTION {{schema}}.notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  q text;
BEGIN
  FOR q IN SELECT DISTINCT n.queue FROM new_jobs n WHERE n.run_at <= now() LOOP
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.jobs', q);
  END LOOP;
  RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON {{schema}}.jobs
  REFERENCING NEW TABLE AS new_jobs
  FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.notify_jobs();

-- Worker processes register here with heartbeats and pool statistics, for status,
-- health checks and the dashboard.
CREATE TABLE {{schema}}.workers (
  id           text        PRIMARY KEY,
  hostname     text        NOT NULL,
  pid          integer     NOT NULL,
  queues       text[]      NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stats        jsonb       NOT NULL DEFAULT '{}'
);

-- rota 0006: monitoring. Per-minute rollups written by worker processes, alert rules,
-- alerts with their history, webhooks, and the evaluator's lease.
--
-- {{schema}} is replaced by the configured schema name (validated, quoted).

-- One row per (queue, minute, worker process): what that process finished in that
-- minute. Each process aggregates its outcomes in memory and rewrites its own rows
-- (cumulative values, so a repeated write is harmless) with its heartbeat: no
-- statement per job, and no row that two processes write. Readers sum rows and merge
-- the histograms (element-wise sums of bucket counts, bounds in src/monitor/histogram.ts).
CREATE TABLE {{schema}}.monitor_rollups (
  queue        text        NOT NULL,
  minute       timestamptz NOT NULL,
  worker_id    text        NOT NULL,
  -- Jobs this process enqueued (counted by whichever process enqueues).
  enqueued     integer     NOT NULL DEFAULT 0,
  completed    integer     NOT NULL DEFAULT 0,
  failed       integer     NOT NULL DEFAULT 0,   -- attempts that failed (retried + dead)
  retried      integer     NOT NULL DEFAULT 0,
  dead         integer     NOT NULL DEFAULT 0,
  snoozed      integer     NOT NULL DEFAULT 0,
  rate_limited integer     NOT NULL DEFAULT 0,
  -- Queue wait (run_at to start) and run time: counts per fixed log-spaced bucket, and sums in ms.
  wait_buckets integer[]   NOT NULL,
  run_buckets  integer[]   NOT NULL,
  wait_sum_ms  double precision NOT NULL DEFAULT 0,
  run_sum_ms   double precision NOT NULL DEFAULT 0,
  -- The busiest tenants of the minute in this process (at most top-N keys, the rest
  -- summed under "~other"): {"tenant": [completed, failed]}.
  tenants      jsonb       NOT NULL DEFAULT '{}',
  -- Already added into monitor_totals (rows older than a couple of hours, which no
  -- process rewrites any more): the counters read totals plus the unfolded rows only,
  -- so a scrape's cost does not grow with the retention.
  folded       boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (queue, minute, worker_id)
);
-- Retention and time-range reads across queues.
CREATE INDEX monitor_rollups_minute_idx ON {{schema}}.monitor_rollups (minute);
-- The counters' read (totals.sql) and the fold: the recent rows only.
CREATE INDEX monitor_rollups_unfolded_idx ON {{schema}}.monitor_rollups (minute) WHERE NOT folded;

-- Sums of folded rollup rows, so the Prometheus counters (totals plus the unfolded
-- rollups) never go down when rows are folded or pruned. Written only by the fold.
CREATE TABLE {{schema}}.monitor_totals (
  queue        text   PRIMARY KEY,
  enqueued     bigint NOT NULL DEFAULT 0,
  completed    bigint NOT NULL DEFAULT 0,
  failed       bigint NOT NULL DEFAULT 0,
  retried      bigint NOT NULL DEFAULT 0,
  dead         bigint NOT NULL DEFAULT 0,
  snoozed      bigint NOT NULL DEFAULT 0,
  rate_limited bigint NOT NULL DEFAULT 0,
  wait_buckets bigint[] NOT NULL,
  run_buckets  bigint[] NOT NULL,
  wait_sum_ms  double precision NOT NULL DEFAULT 0,
  run_sum_ms   double precision NOT NULL DEFAULT 0
);

-- Rule settings changed from code, CLI or REST; a rule without a row uses its defaults.
CREATE TABLE {{schema}}.alert_rules (
  rule       text        PRIMARY KEY,
  enabled    boolean     NOT NULL DEFAULT true,
  -- Overrides of the rule's thresholds (validated in src/monitor/alerts/rules.ts).
  thresholds jsonb       NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {{schema}}.alerts (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type        text        NOT NULL,
  severity    text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  subject     text        NOT NULL,
  state       text        NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'resolved')),
  message     text        NOT NULL,
  details     jsonb       NOT NULL DEFAULT '{}',
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  count       integer     NOT NULL DEFAULT 1,
  resolved_at timestamptz,
  -- 'auto' when its condition cleared, or who resolved it by hand.
  resolved_by text
);
-- Dedup: one active alert per (type, subject); a recurrence after resolution is a new row.
CREATE UNIQUE INDEX alerts_active_idx ON {{schema}}.alerts (type, subject) WHERE state = 'active';
CREATE INDEX alerts_history_idx ON {{schema}}.alerts (state, id DESC);

CREATE TABLE {{schema}}.alert_webhooks (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url          text        NOT NULL,
  secret       text        NOT NULL,
  min_severity text        NOT NULL DEFAULT 'warning' CHECK (min_severity IN ('info', 'warning', 'critical')),
  enabled      boolean     NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Leases of singleton roles (the alert evaluator): one holder at a time, taken over
-- by any process once it expires. A row, not an advisory lock, so holding it keeps no
-- connection checked out.
CREATE TABLE {{schema}}.monitor_leases (
  name       text        PRIMARY KEY,
  holder     text        NOT NULL,
  expires_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL DEFAULT now()
);

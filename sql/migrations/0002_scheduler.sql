-- rota 0002: the scheduler (cron schedules and the record of every cycle).
--
--   schedules       one row per named schedule. next_tick_at is the evaluation cursor:
--                   the earliest cron tick not yet handled. Evaluators claim rows whose
--                   cursor has passed (FOR UPDATE SKIP LOCKED), handle every tick up to
--                   now and move the cursor past it, so a poll costs O(due schedules).
--   schedule_ticks  one row per cycle: a cron tick (enqueued on time, caught up late, or
--                   missed) or a manual trigger. The primary key makes a cron tick
--                   unique per (schedule, tick_at): whichever evaluator inserts it first
--                   enqueues its job in the same transaction, every other one inserts
--                   nothing and enqueues nothing. Outcome columns are copied from
--                   jobs_done once the job finishes ("settled"), so stats read this
--                   table alone and outlive job retention.
--
-- All times are database time (now()); tick instants come from the cron expression,
-- so evaluators whose clocks disagree still compute the same ticks.

CREATE TABLE {{schema}}.schedules (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text        NOT NULL UNIQUE,
  cron          text        NOT NULL,
  time_zone     text        NOT NULL DEFAULT 'UTC',
  queue         text        NOT NULL,
  payload       jsonb       NOT NULL,
  tenant        text        NOT NULL DEFAULT 'default',
  priority      smallint    NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3),
  max_attempts  integer     CHECK (max_attempts >= 1),
  timeout_ms    integer     CHECK (timeout_ms > 0),
  enabled       boolean     NOT NULL DEFAULT true,
  -- skip: record missed ticks only. catch-up: also enqueue the catch_up_max most recent.
  missed_policy text        NOT NULL DEFAULT 'skip' CHECK (missed_policy IN ('skip', 'catch-up')),
  catch_up_max  integer     NOT NULL DEFAULT 0 CHECK (catch_up_max >= 0),
  -- A tick enqueued within grace_ms of its instant is on time; later, it is missed.
  grace_ms      integer     NOT NULL DEFAULT 30000 CHECK (grace_ms > 0),
  -- Each job runs a random 0..jitter_ms after its tick.
  jitter_ms     integer     NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
  -- NULL when the expression has no further tick.
  next_tick_at  timestamptz,
  -- Every missed tick ever counted (rows are kept for the most recent ones only).
  missed_total  bigint      NOT NULL DEFAULT 0,
  -- The latest tick not enqueued in time: what an alert rule polls.
  last_missed_at timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The evaluator's poll and claim: enabled schedules in cursor order. A disabled
-- schedule leaves the index, so it is never looked at.
CREATE INDEX schedules_due_idx ON {{schema}}.schedules (next_tick_at) WHERE enabled;

CREATE TABLE {{schema}}.schedule_ticks (
  schedule_id bigint      NOT NULL REFERENCES {{schema}}.schedules (id) ON DELETE CASCADE,
  -- The cron instant (source = 'cron') or the trigger time (source = 'manual').
  tick_at     timestamptz NOT NULL,
  source      text        NOT NULL CHECK (source IN ('cron', 'manual')),
  status      text        NOT NULL CHECK (status IN ('enqueued', 'caught_up', 'missed')),
  -- When the evaluator wrote the row: the enqueue time when job_id is set.
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- No foreign key: the job moves from jobs to jobs_done and is later dropped by retention.
  job_id      bigint,
  outcome     text        CHECK (outcome IN ('completed', 'dead', 'cancelled', 'unknown')),
  started_at  timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (schedule_id, tick_at, source)
);

-- Settling: cycles whose job has not been seen finished yet.
CREATE INDEX schedule_ticks_unsettled_idx ON {{schema}}.schedule_ticks (recorded_at)
  WHERE job_id IS NOT NULL AND outcome IS NULL;

-- History pruning by age, and "cycles (e.g. missed ones) since T" across schedules.
CREATE INDEX schedule_ticks_tick_idx ON {{schema}}.schedule_ticks (tick_at);

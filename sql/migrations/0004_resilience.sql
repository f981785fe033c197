-- rota 0004: circuit breakers whose state every worker process shares.
--
-- One row per breaker: a queue's (all of its jobs) or a named dependency's (the jobs
-- that call ctx.breaker(name)). Worker processes do not write per job: each one adds
-- up its outcomes for a few hundred ms and sends them in one breaker_sync() call, which
-- locks the rows it touches, adds the counts to the rolling window and makes the state
-- transitions, so N processes agree on one state. The same call returns every
-- breaker's state: it is also how processes learn about changes (they poll it).
--
--   CLOSED    --(failures / calls >= failure_ratio, calls >= min_calls, in window_ms)--> OPEN
--   OPEN      --(open_until reached)-->                                                   HALF_OPEN
--   HALF_OPEN --(`probes` probe jobs succeeded)-->                                        CLOSED
--   HALF_OPEN --(a probe failed)-->                        OPEN, cooldown doubled (capped at max_cooldown_ms)
-- Operators can force a breaker open or closed (it then stays so until reset).
--
-- Independent of 0002/0003: nothing here references other tables.
-- {{schema}} is replaced by the configured schema name (validated, quoted).

CREATE TABLE {{schema}}.breakers (
  kind             text             NOT NULL CHECK (kind IN ('queue', 'dependency')),
  name             text             NOT NULL,
  state            text             NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  -- Set by an operator: the breaker stays in this state until reset.
  forced           text             CHECK (forced IN ('open', 'closed')),
  -- Bumped on every transition (and new probe round): a probe's result only counts in
  -- the round it was taken in, so a late report cannot close a newer round.
  generation       integer          NOT NULL DEFAULT 0,
  -- Settings (rota.breakers.configure / `rota breaker` CLI).
  failure_ratio    double precision NOT NULL DEFAULT 0.5 CHECK (failure_ratio > 0 AND failure_ratio <= 1),
  min_calls        integer          NOT NULL DEFAULT 20 CHECK (min_calls >= 1),
  window_ms        integer          NOT NULL DEFAULT 10000 CHECK (window_ms >= 1000),
  cooldown_ms      integer          NOT NULL DEFAULT 10000 CHECK (cooldown_ms >= 100),
  max_cooldown_ms  integer          NOT NULL DEFAULT 600000,
  probes           integer          NOT NULL DEFAULT 1 CHECK (probes BETWEEN 1 AND 1000),
  probe_timeout_ms integer          NOT NULL DEFAULT 60000 CHECK (probe_timeout_ms >= 100),
  -- Rolling window: 10 buckets of window_ms / 10; bucket number B lives in slot B % 10
  -- (1-based: B % 10 + 1). win_bucket is the newest bucket written; older slots are
  -- zeroed as time moves on, so the sum of the slots is the last window's counts.
  win_bucket       bigint           NOT NULL DEFAULT 0,
  win_ok           integer[]        NOT NULL DEFAULT array_fill(0, ARRAY[10]),
  win_fail         integer[]        NOT NULL DEFAULT array_fill(0, ARRAY[10]),
  -- Openings since the last close: the cooldown is cooldown_ms * 2^(trips - 1), capped.
  trips            integer          NOT NULL DEFAULT 0,
  -- NULL while open by force (no cooldown).
  open_until       timestamptz,
  -- Probe tokens of the current HALF_OPEN round, taken atomically by breaker_take_probes:
  -- at most `probes` jobs run against a recovering dependency, cluster-wide. A round
  -- whose probes never report (their process died) expires after probe_timeout_ms.
  probes_taken     integer          NOT NULL DEFAULT 0,
  probes_ok        integer          NOT NULL DEFAULT 0,
  probe_round_at   timestamptz,
  changed_at       timestamptz      NOT NULL DEFAULT now(),
  reason           text,
  PRIMARY KEY (kind, name),
  CHECK (max_cooldown_ms >= cooldown_ms)
);

-- Every state change and operator action, newest first per breaker (dashboard, CLI).
CREATE TABLE {{schema}}.breaker_history (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        text        NOT NULL,
  name        text        NOT NULL,
  from_state  text        NOT NULL,
  to_state    text        NOT NULL,
  reason      text        NOT NULL,
  -- The window when it happened, and the cooldown chosen when it opened.
  calls       integer     NOT NULL,
  failures    integer     NOT NULL,
  cooldown_ms integer,
  actor       text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX breaker_history_idx ON {{schema}}.breaker_history (kind, name, at DESC);
CREATE INDEX breaker_history_at_idx ON {{schema}}.breaker_history (at);

-- Listeners (dashboards, `rota breaker watch` later) hear about every change.
CREATE FUNCTION {{schema}}.notify_breaker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.breakers', NEW.kind || ':' || NEW.name);
  RETURN NULL;
END;
$$;
CREATE TRIGGER breaker_history_notify AFTER INSERT ON {{schema}}.breaker_history
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.notify_breaker();

-- The window's totals at the current time (stale buckets excluded).
CREATE FUNCTION {{schema}}.breaker_window(p_bucket bigint, p_ok integer[], p_fail integer[], p_window_ms integer,
                                          OUT calls integer, OUT failures integer)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(w.ok + w.fail), 0)::integer, coalesce(sum(w.fail), 0)::integer
    FROM unnest(p_ok, p_fail) WITH ORDINALITY AS w(ok, fail, slot)
   -- the bucket held by this slot is the newest B <= p_bucket with B % 10 = slot - 1
   WHERE p_bucket - (((p_bucket - (w.slot - 1)) % 10) + 10) % 10
         > floor(extract(epoch FROM now()) * 1000 / greatest(1, p_window_ms / 10))::bigint - 10
$$;

CREATE VIEW {{schema}}.breaker_status AS
SELECT b.kind, b.name, b.state, b.forced, b.generation,
       b.failure_ratio, b.min_calls, b.window_ms, b.cooldown_ms, b.max_cooldown_ms, b.probes, b.probe_timeout_ms,
       w.calls, w.failures, b.trips, b.open_until,
       CASE WHEN b.state = 'open' AND b.open_until IS NOT NULL
            THEN greatest(0, ceil(extract(epoch FROM b.open_until - now()) * 1000))::integer END AS open_remaining_ms,
       b.probes_taken, b.probes_ok, b.changed_at, b.reason
  FROM {{schema}}.breakers b
  CROSS JOIN LATERAL {{schema}}.breaker_window(b.win_bucket, b.win_ok, b.win_fail, b.window_ms) w;

-- Moves `b` (a locked row) to `p_to`, records the change in history, and returns the
-- new row (the caller saves it). p_to = 'open' with p_forced opens without a cooldown.
CREATE FUNCTION {{schema}}.breaker_transition(b {{schema}}.breakers, p_to text, p_reason text, p_actor text, p_forced boolean DEFAULT false)
RETURNS {{schema}}.breakers LANGUAGE plpgsql AS $$
DECLARE
  w record;
  v_from text := b.state;
  v_cooldown integer;
BEGIN
  SELECT * INTO w FROM {{schema}}.breaker_window(b.win_bucket, b.win_ok, b.win_fail, b.window_ms);
  b.state := p_to;
  b.generation := b.generation + 1;
  b.probes_taken := 0;
  b.probes_ok := 0;
  b.probe_round_at := NULL;
  b.changed_at := now();
  b.reason := p_reason;
  IF p_to = 'open' THEN
    IF p_forced THEN
      b.open_until := NULL;
    ELSE
      b.trips := b.trips + 1;
      v_cooldown := least(b.max_cooldown_ms::double precision, b.cooldown_ms * power(2, least(b.trips - 1, 30)))::integer;
      b.open_until := now() + v_cooldown * interval '1 millisecond';
    END IF;
  ELSIF p_to = 'closed' THEN
    b.trips := 0;
    b.open_until := NULL;
    b.win_ok := array_fill(0, ARRAY[10]);
    b.win_fail := array_fill(0, ARRAY[10]);
  ELSE
    b.open_until := NULL;
  END IF;
  INSERT INTO {{schema}}.breaker_history (kind, name, from_state, to_state, reason, calls, failures, cooldown_ms, actor)
  VALUES (b.kind, b.name, v_from, p_to, p_reason, w.calls, w.failures, v_cooldown, p_actor);
  RETURN b;
END;
$$;

CREATE FUNCTION {{schema}}.breaker_save(b {{schema}}.breakers) RETURNS void LANGUAGE sql AS $$
  UPDATE {{schema}}.breakers
     SET state = b.state, forced = b.forced, generation = b.generation,
         win_bucket = b.win_bucket, win_ok = b.win_ok, win_fail = b.win_fail,
         trips = b.trips, open_until = b.open_until,
         probes_taken = b.probes_taken, probes_ok = b.probes_ok, probe_round_at = b.probe_round_at,
         changed_at = b.changed_at, reason = b.reason
   WHERE kind = b.kind AND name = b.name
$$;

-- One worker process's outcomes since its last sync, then every breaker's state.
--   p_deltas jsonb  [{kind, name, ok, fail, gen, pok, pfail, pnone}]
--            ok/fail: outcomes of ordinary jobs (they count only while CLOSED);
--            pok/pfail/pnone: results of probe jobs taken in round `gen` (pnone:
--            a probe that did not run, e.g. released; its token is given back).
--   p_actor  text   the worker id, recorded in history.
-- Rows are locked in (kind, name) order, so processes syncing at once queue up on a
-- row instead of deadlocking. A dependency breaker is created on its first report.
CREATE FUNCTION {{schema}}.breaker_sync(p_deltas jsonb, p_actor text)
RETURNS SETOF {{schema}}.breaker_status LANGUAGE plpgsql AS $$
DECLARE
  d record;
  b {{schema}}.breakers;
  v_cur bigint;
  v_slot integer;
  w record;
BEGIN
  FOR d IN
    SELECT x.kind, x.name, coalesce(x.ok, 0) AS ok, coalesce(x.fail, 0) AS fail, x.gen,
           coalesce(x.pok, 0) AS pok, coalesce(x.pfail, 0) AS pfail, coalesce(x.pnone, 0) AS pnone
      FROM jsonb_to_recordset(coalesce(p_deltas, '[]'::jsonb))
           AS x(kind text, name text, ok integer, fail integer, gen integer, pok integer, pfail integer, pnone integer)
     ORDER BY x.kind, x.name
  LOOP
    IF d.kind = 'dependency' THEN
      INSERT INTO {{schema}}.breakers (kind, name) VALUES (d.kind, d.name) ON CONFLICT DO NOTHING;
    END IF;
    SELECT * INTO b FROM {{schema}}.breakers WHERE kind = d.kind AND name = d.name FOR UPDATE;
    CONTINUE WHEN NOT FOUND; -- a queue breaker that was removed meanwhile

    IF b.state = 'closed' AND (d.ok > 0 OR d.fail > 0) THEN
      -- Advance the window to the current bucket, zeroing the slots it passes.
      v_cur := floor(extract(epoch FROM now()) * 1000 / greatest(1, b.window_ms / 10))::bigint;
      IF v_cur - b.win_bucket >= 10 OR v_cur < b.win_bucket THEN
        b.win_ok := array_fill(0, ARRAY[10]);
        b.win_fail := array_fill(0, ARRAY[10]);
      ELSE
        FOR i IN 1 .. (v_cur - b.win_bucket)::integer LOOP
          v_slot := ((b.win_bucket + i) % 10)::integer + 1;
          b.win_ok[v_slot] := 0;
          b.win_fail[v_slot] := 0;
        END LOOP;
      END IF;
      b.win_bucket := v_cur;
      v_slot := (v_cur % 10)::integer + 1;
      b.win_ok[v_slot] := b.win_ok[v_slot] + d.ok;
      b.win_fail[v_slot] := b.win_fail[v_slot] + d.fail;
      IF b.forced IS NULL THEN
        SELECT * INTO w FROM {{schema}}.breaker_window(b.win_bucket, b.win_ok, b.win_fail, b.window_ms);
        IF w.calls >= b.min_calls AND w.failures >= b.failure_ratio * w.calls THEN
          b := {{schema}}.breaker_transition(b, 'open',
                 format('%s of %s calls failed in %s ms', w.failures, w.calls, b.window_ms), p_actor);
        END IF;
      END IF;
    ELSIF b.state = 'half_open' AND b.forced IS NULL AND d.gen = b.generation THEN
      b.probes_taken := greatest(0, b.probes_taken - d.pnone);
      IF d.pfail > 0 THEN
        b := {{schema}}.breaker_transition(b, 'open', 'probe failed', p_actor);
      ELSE
        b.probes_ok := b.probes_ok + d.pok;
        IF b.probes_ok >= b.probes THEN
          b := {{schema}}.breaker_transition(b, 'closed', format('%s probe(s) succeeded', b.probes_ok), p_actor);
        END IF;
      END IF;
    END IF;
    PERFORM {{schema}}.breaker_save(b);
  END LOOP;

  -- Cooldowns that are over. Whoever syncs first does it; SKIP LOCKED: a row locked
  -- by another process is being handled there.
  FOR b IN
    SELECT * FROM {{schema}}.breakers
     WHERE state = 'open' AND forced IS NULL AND open_until <= now()
       FOR UPDATE SKIP LOCKED
  LOOP
    b := {{schema}}.breaker_transition(b, 'half_open', 'cooldown over', p_actor);
    PERFORM {{schema}}.breaker_save(b);
  END LOOP;

  RETURN QUERY SELECT * FROM {{schema}}.breaker_status;
END;
$$;

-- Takes up to p_want probe tokens of a HALF_OPEN breaker (moving it there first if
-- its cooldown is over). Returns how many were granted and the round they belong to.
CREATE FUNCTION {{schema}}.breaker_take_probes(p_kind text, p_name text, p_want integer, p_actor text,
                                               OUT granted integer, OUT generation integer)
LANGUAGE plpgsql AS $$
DECLARE
  b {{schema}}.breakers;
BEGIN
  granted := 0;
  SELECT * INTO b FROM {{schema}}.breakers WHERE kind = p_kind AND name = p_name FOR UPDATE;
  IF NOT FOUND THEN
    generation := 0;
    RETURN;
  END IF;
  IF b.forced IS NULL THEN
    IF b.state = 'open' AND b.open_until <= now() THEN
      b := {{schema}}.breaker_transition(b, 'half_open', 'cooldown over', p_actor);
    END IF;
    IF b.state = 'half_open' THEN
      IF b.probe_round_at IS NULL THEN
        b.probe_round_at := now();
      ELSIF b.probe_round_at < now() - b.probe_timeout_ms * interval '1 millisecond' THEN
        -- The round's probes never reported (their process died): start a new round.
        b.generation := b.generation + 1;
        b.probes_taken := 0;
        b.probes_ok := 0;
        b.probe_round_at := now();
      END IF;
      granted := greatest(0, least(p_want, b.probes - b.probes_taken));
      b.probes_taken := b.probes_taken + granted;
      PERFORM {{schema}}.breaker_save(b);
    END IF;
  END IF;
  generation := b.generation;
END;
$$;

-- Operator actions: 'open' (forced open until reset), 'close' (forced closed until
-- reset), 'reset' (automatic again: closed, window cleared). Always recorded.
CREATE FUNCTION {{schema}}.breaker_force(p_kind text, p_name text, p_action text, p_reason text, p_actor text)
RETURNS SETOF {{schema}}.breaker_status LANGUAGE plpgsql AS $$
DECLARE
  b {{schema}}.breakers;
  v_to text;
BEGIN
  IF p_action NOT IN ('open', 'close', 'reset') THEN
    RAISE EXCEPTION 'unknown breaker action %', p_action USING ERRCODE = '22023';
  END IF;
  INSERT INTO {{schema}}.breakers (kind, name) VALUES (p_kind, p_name) ON CONFLICT DO NOTHING;
  SELECT * INTO b FROM {{schema}}.breakers WHERE kind = p_kind AND name = p_name FOR UPDATE;
  v_to := CASE p_action WHEN 'open' THEN 'open' ELSE 'closed' END;
  b.forced := CASE p_action WHEN 'open' THEN 'open' WHEN 'close' THEN 'closed' END;
  b := {{schema}}.breaker_transition(b, v_to, coalesce(p_reason, p_action || ' by operator'), p_actor, p_action = 'open');
  PERFORM {{schema}}.breaker_save(b);
  RETURN QUERY SELECT * FROM {{schema}}.breaker_status s WHERE s.kind = p_kind AND s.name = p_name;
END;
$$;

-- Creates a breaker or changes its settings; settings missing from p_settings keep
-- their stored value (or the column default). A new window length clears the buckets.
--   p_settings jsonb {failure_ratio, min_calls, window_ms, cooldown_ms, max_cooldown_ms, probes, probe_timeout_ms}
CREATE FUNCTION {{schema}}.breaker_configure(p_kind text, p_name text, p_settings jsonb)
RETURNS SETOF {{schema}}.breaker_status LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  SELECT * INTO s FROM jsonb_to_record(p_settings) AS x(failure_ratio double precision, min_calls integer, window_ms integer,
         cooldown_ms integer, max_cooldown_ms integer, probes integer, probe_timeout_ms integer);
  INSERT INTO {{schema}}.breakers (kind, name) VALUES (p_kind, p_name) ON CONFLICT DO NOTHING;
  UPDATE {{schema}}.breakers b
     SET failure_ratio    = coalesce(s.failure_ratio, b.failure_ratio),
         min_calls        = coalesce(s.min_calls, b.min_calls),
         window_ms        = coalesce(s.window_ms, b.window_ms),
         cooldown_ms      = coalesce(s.cooldown_ms, b.cooldown_ms),
         -- a longer first cooldown lifts the cap with it unless a cap is given
         max_cooldown_ms  = coalesce(s.max_cooldown_ms, greatest(b.max_cooldown_ms, coalesce(s.cooldown_ms, b.cooldown_ms))),
         probes           = coalesce(s.probes, b.probes),
         probe_timeout_ms = coalesce(s.probe_timeout_ms, b.probe_timeout_ms),
         win_ok   = CASE WHEN coalesce(s.window_ms, b.window_ms) = b.window_ms THEN b.win_ok ELSE array_fill(0, ARRAY[10]) END,
         win_fail = CASE WHEN coalesce(s.window_ms, b.window_ms) = b.window_ms THEN b.win_fail ELSE array_fill(0, ARRAY[10]) END
   WHERE b.kind = p_kind AND b.name = p_name;
  PERFORM pg_notify(trim(both '"' from '{{schema}}') || '.breakers', p_kind || ':' || p_name);
  RETURN QUERY SELECT * FROM {{schema}}.breaker_status st WHERE st.kind = p_kind AND st.name = p_name;
END;
$$;

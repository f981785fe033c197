-- Circuit breakers shared by every worker process (tables and the breaker_status
-- view: sql/migrations/0004_resilience.sql).
-- {{schema}} is replaced by the configured schema name (validated, quoted). This file is
-- applied by migrate() after the migrations, whenever its checksum changed (see
-- src/db/functions.ts): edit it in place; CREATE OR REPLACE keeps dependants (triggers,
-- views) attached. A change of arguments or result type needs a DROP FUNCTION first.

-- Listeners (dashboards, `rota breaker watch` later) hear about every change.
CREATE OR REPLACE FUNCTION {{schema}}.notify_breaker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.breakers', NEW.kind || ':' || NEW.name);
  RETURN NULL;
END;
$$;

-- The window's totals at the current time (stale buckets excluded).
CREATE OR REPLACE FUNCTION {{schema}}.breaker_window(p_bucket bigint, p_ok integer[], p_fail integer[], p_window_ms integer,
                                          OUT calls integer, OUT failures integer)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(w.ok + w.fail), 0)::integer, coalesce(sum(w.fail), 0)::integer
    FROM unnest(p_ok, p_fail) WITH ORDINALITY AS w(ok, fail, slot)
   -- the bucket held by this slot is the newest B <= p_bucket with B % 10 = slot - 1
   WHERE p_bucket - (((p_bucket - (w.slot - 1)) % 10) + 10) % 10
         > floor(extract(epoch FROM now()) * 1000 / greatest(1, p_window_ms / 10))::bigint - 10
$$;

-- Moves `b` (a locked row) to `p_to`, records the change in history, and returns the
-- new row (the caller saves it). p_to = 'open' with p_forced opens without a cooldown.
CREATE OR REPLACE FUNCTION {{schema}}.breaker_transition(b {{schema}}.breakers, p_to text, p_reason text, p_actor text, p_forced boolean DEFAULT false)
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

CREATE OR REPLACE FUNCTION {{schema}}.breaker_save(b {{schema}}.breakers) RETURNS void LANGUAGE sql AS $$
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
CREATE OR REPLACE FUNCTION {{schema}}.breaker_sync(p_deltas jsonb, p_actor text)
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
CREATE OR REPLACE FUNCTION {{schema}}.breaker_take_probes(p_kind text, p_name text, p_want integer, p_actor text,
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
CREATE OR REPLACE FUNCTION {{schema}}.breaker_force(p_kind text, p_name text, p_action text, p_reason text, p_actor text)
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
CREATE OR REPLACE FUNCTION {{schema}}.breaker_configure(p_kind text, p_name text, p_settings jsonb)
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

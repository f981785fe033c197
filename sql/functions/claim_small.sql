-- The small claim: steps 2 and 3 of claim_jobs() (sql/functions/claim_jobs.sql), the
-- fold and the allocation, for the common small case, in a few small statements instead
-- of two plans of ~60 and ~130 nodes. Called by claim_jobs() only, right after its lock;
-- it returns no row when the case is not its own, and claim_jobs() goes on with its own
-- fold and allocation. Why: PostgreSQL starts up every node of a plan (and every CTE's
-- subplan) whether it runs or not, and that start-up was 38 % of a one-job claim's CPU
-- (docs/performance.md, "the claim's fixed cost"); these statements start a few nodes
-- each.
--
-- Its case: one queue with no tenant concurrency, no tenant with a concurrency limit of
-- its own, no tenant or queue rate limit and no aging; a journal (lane_changes) with no
-- hold, at most 64 lane entries and arrivals in one lane at most (any number of lanes
-- whose jobs only ended); at most 8 candidate lanes, none of a tenant with a
-- limit or hold of its own; and every candidate lane gets what the `fit` shortcut of the
-- full allocation gives it (all it has when that fits the budget, or one weighted round
-- that fits). Then it must leave exactly what claim_jobs() would: the same jobs, the
-- same lane and tenant rows (ready, vtime, tier, promote_at, parking, plain_ver), the
-- same queue row (running, hold, tenant_ver, bucket, vclock) and the same marker row.
-- Checked by bench/experiments/small-claim-equiv.ts and test/fairness/small-claim.test.ts
-- (both paths from the same states, randomized scenarios). `SET rota.claim_path = 'full'`
-- makes claim_jobs() skip this function (the fairness tests run both ways:
-- PGOPTIONS='-c rota.claim_path=full' npx vitest run test/fairness).
--
-- Nothing is written before the queue's settings and the journal are known to be its
-- case. When the allocation then turns out not to be (too many lanes, a tenant setting,
-- a ranking needed), the fold stays done, its change of the queue's running is written
-- here, and claim_jobs()'s own fold finds nothing left: the same state in the end.
--
-- The one difference in behaviour: claim_jobs()'s allocation reads everything in one
-- snapshot, these statements each take their own, so a job enqueued and committed
-- meanwhile can be taken (or seen as a lane's next due job) here. It is a due,
-- available job of the lane either way, and the lane's ready count stays exact (its
-- arrival is in the journal, folded by the next claim).
--
-- It runs inside claim_jobs() and inherits its settings (plan_cache_mode, the join
-- overrides). When it declines, it says why in rota.claim_small (a transaction-local
-- setting, read by the equivalence checks).
-- {{schema}} is replaced by the configured schema name (validated, quoted).
CREATE OR REPLACE FUNCTION {{schema}}.claim_small(p_queues text[], p_counts integer[], p_worker text, p_lease_ms integer,
                                                 p_now timestamptz)
RETURNS TABLE (id bigint, queue text, tenant text, priority smallint, payload jsonb, attempt integer,
               max_attempts integer, timeout_ms integer, created_at timestamptz, run_at timestamptz,
               more boolean, limited boolean, wake_at double precision)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  -- More lanes than this: the full allocation (set-based) is the cheaper one.
  c_max_lanes CONSTANT integer := 8;
  v_queue text := p_queues[1];
  v_want integer := p_counts[1];
  s record;
  l record;
  -- The queue row as the fold leaves it (see `q` in claim_jobs()); no hold in this case,
  -- so held_until and tenant_ver stay as they are.
  v_d_running integer := 0;
  v_running integer;
  v_held timestamptz;
  v_tver bigint;
  v_budget integer;
  -- Candidate lanes, one entry each.
  a_ctid tid[] := '{}';
  a_tenant text[] := '{}';
  a_prio smallint[] := '{}';
  a_tier smallint[] := '{}';
  a_ready integer[] := '{}';
  a_v double precision[] := '{}';
  a_w integer[] := '{}';
  a_promote timestamptz[] := '{}';
  a_plain boolean[] := '{}';
  a_c integer[] := '{}';
  k integer := 0;
  -- The fit.
  v_sum_c bigint := 0;
  v_sum_w bigint := 0;
  v_min_cw double precision;
  v_min_tier integer;
  v_max_tier integer;
  v_r double precision;
  v_all_in boolean;
  v_sum_m double precision := 0;
  n integer;
  -- Per lane, then the queue.
  v_got integer;
  v_total integer := 0;
  v_served double precision[] := ARRAY[NULL, NULL, NULL, NULL]::double precision[];
  v_parked timestamptz;
  v_more boolean := false;
  v_min_new timestamptz;
  v_inf boolean;
  v_min_old timestamptz;
  v_vclock double precision[];
  g_n integer[] := '{}';
  g_got integer[] := '{}';
  -- The fold: the journal rows read, and per lane (tenant, priority) with an arrival.
  c_max_entries CONSTANT integer := 64;
  r record;
  v_entries integer := 0;
  v_changes tid[] := '{}';
  f_tenant text[] := '{}';
  f_prio smallint[] := '{}';
  f_ready integer[] := '{}';
  f_at timestamptz[] := '{}';
  f integer := 0;
  j integer;
  v_at timestamptz;
  v_decline text;
BEGIN
  IF cardinality(p_queues) IS DISTINCT FROM 1 OR cardinality(p_counts) IS DISTINCT FROM 1 OR v_want IS NULL OR v_want <= 0 THEN
    PERFORM set_config('rota.claim_small', 'not one queue', true);
    RETURN;
  END IF;
  -- The queue's settings, and whether some tenant of it has a concurrency limit of its
  -- own (tenant_limit_idx): then some tenant's running is counted, which the fold keeps.
  SELECT qs.concurrency, qs.tenant_concurrency, qs.rate_limit, qs.tenant_rate_limit, qs.aging_ms,
         qs.running, qs.held_until, qs.tenant_ver, qs.vclock,
         EXISTS (SELECT 1 FROM {{schema}}.tenant_state ts WHERE ts.queue = v_queue AND ts.concurrency IS NOT NULL) AS counting
    INTO s FROM {{schema}}.queue_state qs WHERE qs.queue = v_queue;
  IF NOT FOUND OR s.tenant_concurrency IS NOT NULL OR s.tenant_rate_limit IS NOT NULL OR s.rate_limit IS NOT NULL
     OR s.aging_ms IS NOT NULL OR s.counting THEN
    PERFORM set_config('rota.claim_small', 'queue settings', true);
    RETURN;
  END IF;

  -- 2. The fold of claim_jobs() for its common case: no hold (ctx.rateLimit), no tenant
  -- whose running is counted (above). Then a lane whose jobs only ended needs nothing
  -- but the queue's running, and a lane with arrivals gets the fold's upsert (`lanes`,
  -- `new_lanes`, `new_tenants` in claim_jobs()). Read first, written only once the case
  -- is known to be this one: the journal rows read are the ones deleted (rows appended
  -- meanwhile stay for the next claim, as those after the full fold's snapshot do).
  FOR r IN SELECT c.ctid AS row_ctid, c.tenants, c.priorities, c.d_ready, c.d_running, c.ready_at, c.hold_until, c.queue_hold_until
             FROM {{schema}}.lane_changes c WHERE c.queue = v_queue
  LOOP
    v_entries := v_entries + cardinality(r.tenants);
    IF r.queue_hold_until IS NOT NULL OR v_entries > c_max_entries
       OR cardinality(array_remove(r.hold_until, NULL)) > 0 THEN
      PERFORM set_config('rota.claim_small', CASE WHEN v_entries > c_max_entries THEN 'fold size' ELSE 'hold' END, true);
      RETURN;
    END IF;
    v_changes := v_changes || r.row_ctid;
    FOR i IN 1 .. cardinality(r.tenants) LOOP
      v_d_running := v_d_running + r.d_running[i];
      IF r.d_ready[i] <> 0 OR r.ready_at[i] IS NOT NULL THEN
        j := 0;
        FOR m IN 1 .. f LOOP
          IF f_tenant[m] = r.tenants[i] AND f_prio[m] = r.priorities[i] THEN j := m; EXIT; END IF;
        END LOOP;
        IF j = 0 THEN
          -- One lane written at most: the full fold writes several in its hash
          -- aggregate's order, and that order (the rows' places in the heap) is how
          -- lane_active_idx orders lanes of equal (tier, vtime), whose turn comes first.
          IF f = 1 THEN
            PERFORM set_config('rota.claim_small', 'fold lanes', true);
            RETURN;
          END IF;
          f := f + 1;
          j := f;
          f_tenant[j] := r.tenants[i];
          f_prio[j] := r.priorities[i];
          f_ready[j] := 0;
        END IF;
        f_ready[j] := f_ready[j] + r.d_ready[i];
        f_at[j] := least(f_at[j], r.ready_at[i]);
      END IF;
    END LOOP;
  END LOOP;
  -- The full fold hands its running change to step 3 only when there was a journal row.
  IF cardinality(v_changes) > 0 THEN
    DELETE FROM {{schema}}.lane_changes c WHERE c.ctid = ANY (v_changes);
  END IF;
  FOR m IN 1 .. f LOOP
    -- Arrivals and departures of one lane that cancel out: the full fold writes nothing.
    CONTINUE WHEN f_ready[m] = 0 AND f_at[m] IS NULL;
    -- The proposed parking (excluded.parked_until in claim_jobs()'s `lanes`).
    v_at := CASE WHEN f_at[m] <= p_now THEN NULL WHEN f_at[m] IS NOT NULL THEN f_at[m] ELSE 'infinity' END;
    UPDATE {{schema}}.lane_state l
       SET ready = l.ready + f_ready[m],
           vtime = CASE WHEN l.ready <= 0 OR (l.parked_until = 'infinity' AND v_at IS NULL)
                        THEN greatest(l.vtime, s.vclock[f_prio[m] + 1]) ELSE l.vtime END,
           tier = CASE WHEN l.ready <= 0 THEN l.priority ELSE l.tier END,
           promote_at = CASE WHEN l.ready <= 0 THEN NULL ELSE l.promote_at END,
           parked_until = CASE
             WHEN l.ready + f_ready[m] <= 0 THEN NULL
             WHEN l.ready <= 0 THEN nullif(v_at, 'infinity')
             WHEN l.parked_until IS NULL OR v_at IS NULL THEN NULL
             ELSE least(l.parked_until, v_at) END
     WHERE l.queue = v_queue AND l.tenant = f_tenant[m] AND l.priority = f_prio[m];
    IF NOT FOUND THEN
      -- A new lane, of a new tenant perhaps: it starts at its tier's current round.
      INSERT INTO {{schema}}.tenant_state (queue, tenant, running) VALUES (v_queue, f_tenant[m], NULL) ON CONFLICT DO NOTHING;
      INSERT INTO {{schema}}.lane_state (queue, tenant, priority, tier, ready, vtime, parked_until, promote_at)
      VALUES (v_queue, f_tenant[m], f_prio[m], f_prio[m], f_ready[m], s.vclock[f_prio[m] + 1], v_at, NULL);
    END IF;
  END LOOP;
  v_running := s.running + v_d_running;
  v_held := s.held_until;
  v_tver := s.tenant_ver;
  -- `qb` without tokens (no rate limit).
  v_budget := CASE WHEN v_held > p_now THEN 0
                   ELSE greatest(0, least(v_want, coalesce(s.concurrency - v_running, v_want))) END;

  -- The candidates of the full allocation (`act`, then the parked lanes now due; the
  -- aging range only as a sign: any lane in it is the full allocation's case), each
  -- with its tenant's row unless it was found plain at this tenant_ver (`cand`).
  FOR l IN
    SELECT x.kind, x.lane_ctid, x.tenant, x.priority, x.tier, x.ready, x.vtime, x.promote_at, x.parked_until,
           t.tenant IS NOT NULL AS t_found, t.weight, t.concurrency, t.rate_limit, t.running, t.tokens, t.held_until
      FROM ((SELECT 0 AS kind, a.ctid AS lane_ctid, a.tenant, a.priority, a.tier, a.ready, a.vtime, a.promote_at, a.parked_until, a.plain_ver
               FROM {{schema}}.lane_state a
              WHERE a.queue = v_queue AND a.ready > 0 AND a.parked_until IS NULL
              ORDER BY a.tier, a.vtime LIMIT v_budget)
            UNION ALL
            (SELECT 1, p.ctid, p.tenant, p.priority, p.tier, p.ready, p.vtime, p.promote_at, p.parked_until, p.plain_ver
               FROM {{schema}}.lane_state p
              WHERE p.queue = v_queue AND p.ready > 0 AND p.parked_until IS NOT NULL AND p.parked_until <= p_now
              ORDER BY p.parked_until LIMIT v_budget)
            UNION ALL
            (SELECT 2, g.ctid, g.tenant, g.priority, g.tier, g.ready, g.vtime, g.promote_at, g.parked_until, g.plain_ver
               FROM {{schema}}.lane_state g
              WHERE g.queue = v_queue AND g.ready > 0 AND g.parked_until IS NULL AND g.promote_at IS NOT NULL
                AND g.promote_at <= p_now AND v_budget > 0
              LIMIT 1)
            LIMIT c_max_lanes + 1) x
      LEFT JOIN LATERAL (
        SELECT ts.* FROM {{schema}}.tenant_state ts
         WHERE x.plain_ver IS DISTINCT FROM v_tver AND ts.queue = v_queue AND ts.tenant = x.tenant
        OFFSET 0) t ON true
  LOOP
    IF l.kind = 2 OR k = c_max_lanes
       OR l.t_found AND (l.concurrency IS NOT NULL OR l.rate_limit IS NOT NULL OR l.running IS NOT NULL OR l.held_until > p_now) THEN
      v_decline := CASE WHEN l.kind = 2 THEN 'aging' WHEN k = c_max_lanes THEN 'lanes' ELSE 'tenant settings' END;
      EXIT;
    END IF;
    k := k + 1;
    a_ctid[k] := l.lane_ctid;
    a_tenant[k] := l.tenant;
    a_prio[k] := l.priority;
    a_tier[k] := l.tier;
    a_ready[k] := l.ready;
    -- `lane_in`: a lane back from parking joins its tier's current round (no aging here).
    a_v[k] := CASE WHEN l.parked_until IS NOT NULL THEN greatest(l.vtime, s.vclock[l.tier + 1]) ELSE l.vtime END;
    a_w[k] := coalesce(l.weight, 1);
    a_promote[k] := l.promote_at;
    a_plain[k] := NOT l.t_found
                  OR (l.weight = 1 AND l.concurrency IS NULL AND l.rate_limit IS NULL AND l.running IS NULL AND l.tokens IS NULL
                      AND (l.held_until IS NULL OR l.held_until <= p_now));
    a_c[k] := least(l.ready, v_budget);
    IF a_c[k] > 0 AND v_budget > 0 THEN
      v_sum_c := v_sum_c + a_c[k];
      v_sum_w := v_sum_w + a_w[k];
      v_min_cw := least(v_min_cw, a_c[k]::double precision / a_w[k]);
      v_min_tier := least(v_min_tier, l.tier);
      v_max_tier := greatest(v_max_tier, l.tier);
    END IF;
  END LOOP;

  -- `live` and `fit`: all a lane has when that fits the budget, or one weighted round.
  IF v_decline IS NULL AND v_sum_w > 0 THEN
    v_r := v_budget::double precision / v_sum_w;
    v_all_in := v_sum_c <= v_budget;
    IF NOT v_all_in THEN
      IF v_min_tier <> v_max_tier OR v_r > v_min_cw THEN
        v_decline := 'ranking';
      ELSE
        FOR i IN 1 .. k LOOP
          IF a_c[i] > 0 THEN v_sum_m := v_sum_m + least(a_c[i], ceil(v_r * a_w[i])); END IF;
        END LOOP;
        IF v_sum_m > v_budget THEN v_decline := 'ranking'; END IF;
      END IF;
    END IF;
  END IF;
  -- Not this case after all: the fold is done, so its change of the queue's running is
  -- written here (the full claim's fold then finds nothing to fold) and the full
  -- allocation runs.
  IF v_decline IS NOT NULL THEN
    PERFORM set_config('rota.claim_small', v_decline, true);
    IF v_d_running <> 0 THEN
      UPDATE {{schema}}.queue_state qs SET running = qs.running + v_d_running WHERE qs.queue = v_queue;
    END IF;
    RETURN;
  END IF;

  -- From here on this is the claim. Take: each lane's quota n (`quota`, `picks`, `claimed`).
  FOR i IN 1 .. k LOOP
    n := CASE WHEN a_c[i] > 0 AND v_budget > 0 AND v_all_in THEN a_c[i]
              WHEN a_c[i] > 0 AND v_budget > 0 THEN least(a_c[i], ceil(v_r * a_w[i]))::integer ELSE 0 END;
    v_got := 0;
    IF n > 0 THEN
      RETURN QUERY
      UPDATE {{schema}}.jobs j
         SET state = 'running',
             attempt = j.attempt + 1,
             started_at = p_now,
             locked_by = p_worker,
             lease_expires_at = now() + p_lease_ms * interval '1 millisecond'
       WHERE j.id = ANY (ARRAY(
               SELECT jb.id FROM {{schema}}.jobs jb
                WHERE jb.queue = v_queue AND jb.tenant = a_tenant[i] AND jb.priority = a_prio[i]
                  AND jb.state = 'available' AND jb.run_at <= p_now
                ORDER BY jb.run_at, jb.id
                LIMIT n
                FOR UPDATE SKIP LOCKED))
      RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, j.attempt, j.max_attempts, j.timeout_ms, j.created_at, j.run_at,
                NULL::boolean, NULL::boolean, NULL::double precision;
      GET DIAGNOSTICS v_got = ROW_COUNT;
      -- The tier's last start tag served, from the quota (as `tier_out` takes it).
      v_served[a_tier[i] + 1] := greatest(v_served[a_tier[i] + 1], a_v[i] + (n - 1)::double precision / a_w[i]);
    END IF;
    g_n[i] := n;
    g_got[i] := v_got;
    v_total := v_total + v_got;
  END LOOP;

  -- The marker's reads of the queue's lanes see them as the full allocation's statement
  -- does: before this claim's writes.
  IF v_total < v_want THEN
    SELECT EXISTS (SELECT 1 FROM {{schema}}.lane_state b
                    WHERE b.queue = v_queue AND b.ready > 0 AND b.parked_until = 'infinity'),
           (SELECT min(p.parked_until) FROM {{schema}}.lane_state p
             WHERE p.queue = v_queue AND p.ready > 0 AND p.parked_until > p_now AND p.parked_until < 'infinity')
      INTO v_inf, v_min_old;
  END IF;

  -- Write back each lane (`lanes`: no limit, count, hold or tokens in this case).
  FOR i IN 1 .. k LOOP
    v_got := g_got[i];
    v_parked := NULL;
    IF a_ready[i] - v_got > 0 AND v_got < g_n[i] THEN
      v_parked := coalesce(
        (SELECT jb.run_at FROM {{schema}}.jobs jb
          WHERE jb.queue = v_queue AND jb.tenant = a_tenant[i] AND jb.priority = a_prio[i]
            AND jb.state = 'available' AND jb.run_at > p_now
          ORDER BY jb.run_at, jb.id LIMIT 1),
        p_now + interval '1 second');
      v_more := true;
      IF v_parked > p_now AND v_parked < 'infinity' THEN v_min_new := least(v_min_new, v_parked); END IF;
    END IF;
    UPDATE {{schema}}.lane_state ls
       SET ready = ls.ready - v_got,
           plain_ver = CASE WHEN a_plain[i] THEN v_tver END,
           vtime = a_v[i] + v_got::double precision / a_w[i],
           tier = CASE WHEN v_got > 0 THEN ls.priority ELSE a_tier[i] END,
           promote_at = CASE WHEN v_got = 0 THEN a_promote[i] END,
           parked_until = v_parked
     WHERE ls.ctid = a_ctid[i];
  END LOOP;

  -- The queue's row (`queues`): the fold's change and the claim's.
  IF v_total > 0 OR v_d_running <> 0 THEN
    v_vclock := s.vclock;
    IF v_total > 0 THEN
      v_vclock := ARRAY[greatest(s.vclock[1], coalesce(v_served[1], s.vclock[1])),
                        greatest(s.vclock[2], coalesce(v_served[2], s.vclock[2])),
                        greatest(s.vclock[3], coalesce(v_served[3], s.vclock[3])),
                        greatest(s.vclock[4], coalesce(v_served[4], s.vclock[4]))];
    END IF;
    UPDATE {{schema}}.queue_state qs
       SET running = qs.running + v_d_running + v_total,
           tokens = CASE WHEN v_total > 0 THEN NULL ELSE qs.tokens END,
           tokens_at = CASE WHEN v_total = 0 THEN qs.tokens_at END,
           vclock = v_vclock
     WHERE qs.queue = v_queue;
  END IF;

  -- The marker (`markers`): fewer than asked.
  IF v_total < v_want THEN
    id := NULL; queue := v_queue; tenant := NULL; priority := NULL; payload := NULL; attempt := NULL;
    max_attempts := NULL; timeout_ms := NULL; created_at := NULL; run_at := NULL;
    more := v_total < v_budget AND v_more;
    limited := (s.concurrency IS NOT NULL AND s.concurrency - v_running < v_want) OR v_inf;
    wake_at := (extract(epoch FROM least(CASE WHEN v_held > p_now THEN v_held END, v_min_new, v_min_old)) * 1000)::double precision;
    RETURN NEXT;
  END IF;
END;
$fn$;

-- The small claim: step 3 of claim_jobs() (sql/functions/claim_jobs.sql) for the common
-- small case, in a few small statements instead of one plan of ~130 nodes. Called by
-- claim_jobs() only, after its lock and fold, with the fold's per-queue changes; it
-- returns no row when the case is not its own (and has then written nothing), and the
-- full allocation runs. Why: PostgreSQL starts up every node of a plan (and every CTE's
-- subplan) whether it runs or not, and that start-up was 38 % of a one-job claim's CPU
-- (docs/performance.md, "the claim's fixed cost"); these statements start a few nodes
-- each.
--
-- Its case ("fit"): one queue with no tenant concurrency, no tenant or queue rate limit
-- and no aging; at most 8 candidate lanes, none of a tenant with a limit, a count or a
-- hold of its own; and every candidate lane gives what the fit shortcut of the full
-- allocation gives (all it has when that fits the budget, or one weighted round that
-- fits). Then it must leave exactly what the full allocation would: the same jobs, the
-- same lane rows (ready, vtime, tier, promote_at, parking, plain_ver), the same queue
-- row (running, hold, tenant_ver, bucket, vclock) and the same marker row. Checked by
-- bench/experiments/small-claim-equiv.ts and test/fairness/small-claim.test.ts (both
-- paths on randomized scenarios); `SET rota.claim_path = 'full'` makes claim_jobs()
-- skip this function (e.g. PGOPTIONS='-c rota.claim_path=full' npx vitest run test/fairness).
--
-- The one difference: the full allocation reads everything in one snapshot, these
-- statements each take their own, so a job enqueued and committed meanwhile can be
-- taken (or seen as a lane's next due job) here. It is a due, available job of the lane
-- either way, and the lane's ready count stays exact (its arrival is folded later).
--
-- Not called with the settings of claim_jobs() (plan_cache_mode, the join overrides):
-- it runs inside that call and inherits them. When it declines, it says why in
-- rota.claim_small (a transaction-local setting, read by the equivalence checks).
-- {{schema}} is replaced by the configured schema name (validated, quoted).
CREATE OR REPLACE FUNCTION {{schema}}.claim_small(
  p_queues text[], p_counts integer[], p_worker text, p_lease_ms integer, p_now timestamptz,
  p_fold_queues text[], p_fold_running integer[], p_fold_hold timestamptz[], p_fold_held boolean[])
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
  -- The queue row as the fold leaves it (see `q` in claim_jobs()).
  v_d_running integer := 0;
  v_d_hold timestamptz;
  v_d_ver integer := 0;
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
BEGIN
  IF cardinality(p_queues) IS DISTINCT FROM 1 OR cardinality(p_counts) IS DISTINCT FROM 1 OR v_want IS NULL OR v_want <= 0 THEN
    PERFORM set_config('rota.claim_small', 'not one queue', true);
    RETURN;
  END IF;
  FOR i IN 1 .. coalesce(cardinality(p_fold_queues), 0) LOOP
    IF p_fold_queues[i] = v_queue THEN
      v_d_running := v_d_running + p_fold_running[i];
      v_d_hold := greatest(v_d_hold, p_fold_hold[i]);
      IF p_fold_held[i] THEN v_d_ver := 1; END IF;
    END IF;
  END LOOP;

  SELECT qs.concurrency, qs.tenant_concurrency, qs.rate_limit, qs.tenant_rate_limit, qs.aging_ms,
         qs.running, qs.held_until, qs.tenant_ver, qs.vclock
    INTO s FROM {{schema}}.queue_state qs WHERE qs.queue = v_queue;
  IF NOT FOUND OR s.tenant_concurrency IS NOT NULL OR s.tenant_rate_limit IS NOT NULL OR s.rate_limit IS NOT NULL
     OR s.aging_ms IS NOT NULL THEN
    PERFORM set_config('rota.claim_small', 'queue settings', true);
    RETURN;
  END IF;
  v_running := s.running + v_d_running;
  v_held := greatest(s.held_until, v_d_hold);
  v_tver := s.tenant_ver + v_d_ver;
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
      PERFORM set_config('rota.claim_small',
                         CASE WHEN l.kind = 2 THEN 'aging' WHEN k = c_max_lanes THEN 'lanes' ELSE 'tenant settings' END, true);
      RETURN;
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
  IF v_sum_w > 0 THEN
    v_r := v_budget::double precision / v_sum_w;
    v_all_in := v_sum_c <= v_budget;
    IF NOT v_all_in THEN
      IF v_min_tier <> v_max_tier OR v_r > v_min_cw THEN
        PERFORM set_config('rota.claim_small', 'ranking', true);
        RETURN;
      END IF;
      FOR i IN 1 .. k LOOP
        IF a_c[i] > 0 THEN v_sum_m := v_sum_m + least(a_c[i], ceil(v_r * a_w[i])); END IF;
      END LOOP;
      IF v_sum_m > v_budget THEN
        PERFORM set_config('rota.claim_small', 'ranking', true);
        RETURN;
      END IF;
    END IF;
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
  IF v_total > 0 OR v_d_running <> 0 OR v_d_hold IS NOT NULL OR v_d_ver <> 0 THEN
    v_vclock := s.vclock;
    IF v_total > 0 THEN
      v_vclock := ARRAY[greatest(s.vclock[1], coalesce(v_served[1], s.vclock[1])),
                        greatest(s.vclock[2], coalesce(v_served[2], s.vclock[2])),
                        greatest(s.vclock[3], coalesce(v_served[3], s.vclock[3])),
                        greatest(s.vclock[4], coalesce(v_served[4], s.vclock[4]))];
    END IF;
    UPDATE {{schema}}.queue_state qs
       SET running = qs.running + v_d_running + v_total,
           held_until = greatest(qs.held_until, v_d_hold),
           tenant_ver = qs.tenant_ver + v_d_ver,
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

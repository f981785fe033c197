-- The fair claim (sql/queries/claim.sql calls it). The lane and tenant state it reads
-- and writes is described in sql/migrations/0003_fairness.sql.
-- {{schema}} is replaced by the configured schema name (validated, quoted). This file is
-- applied by migrate() after the migrations, whenever its checksum changed (see
-- src/db/functions.ts): edit it in place; CREATE OR REPLACE keeps dependants (triggers,
-- views) attached. A change of arguments or result type needs a DROP FUNCTION first.

-- The claim (sql/queries/claim.sql calls it): up to p_counts[i] jobs of p_queues[i],
-- weighted round robin across tenants inside strict priority tiers, within every
-- concurrency and rate limit. One call, one round trip, three statements:
--
--   1. Lock the queue rows, in name order (two claims over overlapping queue sets
--      cannot deadlock). They are the mutex of all state writers (claims, configure).
--   2. Fold the pending lane_changes into lanes, tenants and queues. Each statement of
--      a PL/pgSQL function takes a fresh snapshot, so from here on everything the
--      previous holder committed is visible: counts read under the lock are current.
--   3. Allocate, take the jobs and write the state back, in one statement.
--
-- Returned rows are the claimed jobs; then, for each queue that got fewer jobs than
-- asked, one row with id NULL: `more` (call again at once: candidate lanes that could
-- not give what was planned, their tenant at a limit or their jobs delayed, are parked
-- now, and lanes behind them may be served), `limited` (a concurrency limit was in
-- the way: call again when a job finishes), `wake_at` (epoch ms when held-back work may
-- start: a delayed job, a token, the end of a hold).
CREATE OR REPLACE FUNCTION {{schema}}.claim_jobs(p_queues text[], p_counts integer[], p_worker text, p_lease_ms integer)
RETURNS TABLE (id bigint, queue text, tenant text, priority smallint, payload jsonb, attempt integer,
               max_attempts integer, timeout_ms integer, created_at timestamptz, run_at timestamptz,
               more boolean, limited boolean, wake_at double precision)
LANGUAGE plpgsql
-- The statements' shapes do not depend on the arguments; planning them anew on each
-- call (what PostgreSQL does while a custom plan looks cheaper) costs more than running them.
SET plan_cache_mode = force_generic_plan
-- Every join here goes from a few rows (the claim's lanes, tenants, jobs) to a table by
-- its primary key or an index. A generic plan cannot know how few (generate_series alone
-- is guessed at 1,000 rows), and would hash-join against a full scan of tenant_state,
-- lane_state or jobs, which grows with the tenants or the backlog. These settings keep
-- the plans to index lookups, so a claim's cost follows its size. Re-measured for issue #9
-- (bench/experiments/claim-overrides.ts: 100,000 jobs, ANALYZEd, ms per claim of 100,
-- one run on a loaded machine): at 10,000 tenants 12 with all three, 27 without
-- enable_hashjoin, 28 without enable_mergejoin, 19 without enable_seqscan, 20 with none;
-- at 10 and 1,000 tenants the differences were within the noise. Each is kept for the
-- many-tenant case.
SET enable_hashjoin = off
SET enable_mergejoin = off
SET enable_seqscan = off
AS $fn$
#variable_conflict use_column
DECLARE
  v_now timestamptz;
  -- What the fold found per queue (see the end of step 2), written by step 3.
  v_fold_queues text[];
  v_fold_running integer[];
  v_fold_hold timestamptz[];
  v_fold_held boolean[];
  -- Past this many live lanes in a queue, a claim serves it in turns (see `turns`).
  -- 128: a claim of 1,000 then takes 8 jobs per turn; claims of up to 128 jobs are
  -- served one job per lane as before. At 8 lanes a claim of 250 over 1,000 tenants
  -- used 4.7 ms of CPU against 6.3 at 128 (2.9 over one tenant), for turns 16 times
  -- as coarse (bench/experiments/claim-cost.ts, docs/performance.md).
  c_turn_lanes CONSTANT integer := 128;
BEGIN
  -- 1. The mutex.
  PERFORM 1 FROM {{schema}}.queue_state s WHERE s.queue = ANY(p_queues) ORDER BY s.queue FOR UPDATE OF s;
  v_now := clock_timestamp();
  -- The common small claim (sql/functions/claim_small.sql): the same result in a few
  -- small statements instead of the two large plans below; no rows when the case is not
  -- its own. rota.claim_path = 'full' skips it (the tests run both paths).
  IF current_setting('rota.claim_path', true) IS DISTINCT FROM 'full' THEN
    RETURN QUERY SELECT * FROM {{schema}}.claim_small(p_queues, p_counts, p_worker, p_lease_ms, v_now);
    IF FOUND THEN RETURN; END IF;
  END IF;

  -- 2. Fold. Lanes whose count changed are upserted (new tenants get their row here);
  -- a lane that had nothing ready joins its tier's current round (vclock) instead of
  -- cashing in idle time. Lanes parked at their tenant's concurrency limit are unparked
  -- (and join the current round) when that tenant has fewer jobs running; the next
  -- step re-checks them.
  -- EXPLAIN: Delete on lane_changes by lane_changes_queue_idx; the upserts are nested
  -- loops from the folded rows into the primary keys. Nothing to fold: two empty probes.
  WITH changes AS (
    DELETE FROM {{schema}}.lane_changes c
     WHERE c.queue = ANY(p_queues)
    RETURNING c.queue, c.tenants, c.priorities, c.d_ready, c.d_running, c.ready_at, c.hold_until, c.queue_hold_until
  ),
  lane_delta AS (
    SELECT c.queue, u.tenant, u.priority,
           sum(u.d_ready)::int AS d_ready, sum(u.d_running)::int AS d_running,
           min(u.ready_at) AS ready_at, max(u.hold_until) AS hold_until
      FROM changes c
     CROSS JOIN LATERAL unnest(c.tenants, c.priorities, c.d_ready, c.d_running, c.ready_at, c.hold_until)
           AS u(tenant, priority, d_ready, d_running, ready_at, hold_until)
     GROUP BY 1, 2, 3
  ),
  -- Queues in which some tenant's running is counted: a tenant_concurrency, or a tenant
  -- with a concurrency of its own (tenant_limit_idx: a probe per queue). In the others a
  -- lane whose jobs only ended (no arrival, no hold) needs nothing from its tenant's row:
  -- the tenant's running is not counted and its row exists (the fold of its jobs' arrival
  -- made it), so the probe below is skipped. sync_tenant_running() keeps "counted" equal
  -- to "a limit applies" under the queue's lock, which this fold holds too.
  counting AS (
    SELECT q.queue FROM {{schema}}.queue_state q
     WHERE q.queue = ANY(p_queues)
       AND (q.tenant_concurrency IS NOT NULL
            OR EXISTS (SELECT 1 FROM {{schema}}.tenant_state ts WHERE ts.queue = q.queue AND ts.concurrency IS NOT NULL))
  ),
  -- Each lane with what its tenant's row says: known (the row exists) and counted
  -- (running is not NULL: a concurrency limit applies, see
  -- sql/functions/tenant_running.sql). A lookup by primary key (LIMIT keeps it a
  -- parameterized probe: as a join, with statistics taken before the tenants' rows
  -- existed, the planner materialized the whole of tenant_state and filtered it per
  -- tenant, 100 ms for 100 jobs over 10,000 tenants in the fairness benchmark's
  -- claim-cost step). Per lane rather than per tenant, so that the lanes of a tenant new
  -- to the queue are known to be new without a join (a tenant has one lane per priority
  -- with work: mostly one).
  lane_row AS (
    SELECT d.*, NOT d.probe OR t.known IS NOT NULL AS known, coalesce(t.counted, false) AS counted
      FROM (SELECT x.*, x.d_ready <> 0 OR x.ready_at IS NOT NULL OR x.hold_until IS NOT NULL
                        OR x.queue IN (SELECT c.queue FROM counting c) AS probe
              FROM lane_delta x) d
      LEFT JOIN LATERAL (
        SELECT true AS known, ts.running IS NOT NULL AS counted FROM {{schema}}.tenant_state ts
         WHERE d.probe AND ts.queue = d.queue AND ts.tenant = d.tenant LIMIT 1) t ON true
  ),
  tenant_row AS (
    SELECT d.queue, d.tenant, sum(d.d_running)::int AS d_running, max(d.hold_until) AS hold_until,
           bool_and(d.known) AS known, bool_or(d.counted) AS counted
      FROM lane_row d GROUP BY 1, 2
  ),
  -- Each tenant's row is written only when it must change: a tenant new to the queue
  -- gets its row, a hold (ctx.rateLimit) is recorded, and running moves for tenants
  -- whose running is counted. The rest was at most a read: most folds change only
  -- uncounted tenants (jobs of unlimited tenants ended), which used to cost a row write
  -- per tenant per round. New rows (and new lanes below) are plain INSERTs, not upserts:
  -- this fold holds the queue's lock, as does every other writer of its tenant and lane
  -- rows (configure), so a row found missing stays missing until it is inserted here; a
  -- lane row exists only with its tenant's (both are made here, neither is deleted).
  -- An upsert checks the key before inserting and confirms the insert after: the first
  -- claim after 20,000 jobs over 10,000 new tenants used 25-30 % more backend CPU and
  -- 24 % more WAL with upserts (bench/experiments/fold-cost.ts).
  new_tenants AS (
    INSERT INTO {{schema}}.tenant_state (queue, tenant, running, held_until)
    -- Counted from the start when its queue has a tenant_concurrency.
    SELECT d.queue, d.tenant, CASE WHEN q.tenant_concurrency IS NOT NULL THEN d.d_running END, d.hold_until
      FROM tenant_row d
      JOIN {{schema}}.queue_state q ON q.queue = d.queue
     WHERE NOT d.known
  ),
  -- The rows to write are found by a probe per tenant (LIMIT: a parameterized lookup, as
  -- in lane_row) and written by their TID. As a join, with statistics taken while
  -- tenant_state was empty (autovacuum's ANALYZE after a bulk enqueue), the planner ran
  -- the whole of tenant_state as the outer side and rescanned tenant_row for each of its
  -- rows: 220 ms per claim over 10,000 tenants, writing nothing
  -- (bench/experiments/claim-fold-plan.ts, docs/perf-notes-tenants2.md). The fold holds
  -- the queue's lock, as does every writer of these rows, so the TID read here is the
  -- row's current version.
  tenants AS (
    UPDATE {{schema}}.tenant_state t
       SET running = t.running + d.d_running,  -- NULL (not counted) stays NULL
           held_until = greatest(t.held_until, d.hold_until)
      FROM (SELECT d.d_running, d.hold_until, x.row_ctid
              FROM tenant_row d
             CROSS JOIN LATERAL (
               SELECT ts.ctid AS row_ctid FROM {{schema}}.tenant_state ts
                WHERE ts.queue = d.queue AND ts.tenant = d.tenant LIMIT 1) x
             WHERE d.known AND (d.hold_until IS NOT NULL OR (d.counted AND d.d_running <> 0))
            OFFSET 0) d
     WHERE t.ctid = d.row_ctid
  ),
  lane_in AS (
    SELECT x.queue, x.tenant, x.priority, sum(x.d_ready)::int AS d_ready, min(x.ready_at) AS ready_at, bool_or(x.unblock) AS unblock
      FROM (SELECT d.queue, d.tenant, d.priority, d.d_ready, d.ready_at, false AS unblock
              FROM lane_row d WHERE d.known AND (d.d_ready <> 0 OR d.ready_at IS NOT NULL)
            UNION ALL
            SELECT l.queue, l.tenant, l.priority, 0, NULL, true
              FROM tenant_row d
             -- A tenant's lanes (one per priority, four at most) by primary key, as above.
             CROSS JOIN LATERAL (
               SELECT ls.queue, ls.tenant, ls.priority FROM {{schema}}.lane_state ls
                WHERE ls.queue = d.queue AND ls.tenant = d.tenant AND ls.ready > 0 AND ls.parked_until = 'infinity'
                LIMIT 4) l
             -- Only a counted tenant can be parked at its limit (removing a limit unparks).
             WHERE d.counted AND d.d_running < 0) x
     GROUP BY 1, 2, 3
  ),
  -- A new tenant's lanes start at their tier's current round (vclock): claimable now, or
  -- parked until their first job is due.
  new_lanes AS (
    INSERT INTO {{schema}}.lane_state (queue, tenant, priority, tier, ready, vtime, parked_until, promote_at)
    SELECT d.queue, d.tenant, d.priority, d.priority, d.d_ready,
           q.vclock[d.priority + 1],
           CASE WHEN d.ready_at <= v_now THEN NULL
                WHEN d.ready_at IS NOT NULL THEN d.ready_at
                ELSE 'infinity' END,
           CASE WHEN q.aging_ms IS NOT NULL AND d.priority > 0 THEN v_now + q.aging_ms * interval '1 millisecond' END
      FROM lane_row d JOIN {{schema}}.queue_state q ON q.queue = d.queue
     WHERE NOT d.known AND (d.d_ready <> 0 OR d.ready_at IS NOT NULL)
  ),
  -- The proposed parking travels in excluded.parked_until: NULL = claimable now (a job
  -- became due, or the tenant went under its limit), a time = the first new job's
  -- run_at, 'infinity' = nothing new became available (keep what the lane has).
  lanes AS (
    INSERT INTO {{schema}}.lane_state AS l (queue, tenant, priority, tier, ready, vtime, parked_until, promote_at)
    SELECT i.queue, i.tenant, i.priority, i.priority, i.d_ready,
           q.vclock[i.priority + 1],
           CASE WHEN i.unblock OR i.ready_at <= v_now THEN NULL
                WHEN i.ready_at IS NOT NULL THEN i.ready_at
                ELSE 'infinity' END,
           CASE WHEN q.aging_ms IS NOT NULL AND i.priority > 0 THEN v_now + q.aging_ms * interval '1 millisecond' END
      FROM lane_in i JOIN {{schema}}.queue_state q ON q.queue = i.queue
    ON CONFLICT (queue, tenant, priority) DO UPDATE
       SET ready = l.ready + excluded.ready,
           -- Back from idle or from its tenant's limit: join the current round.
           vtime = CASE WHEN l.ready <= 0 OR (l.parked_until = 'infinity' AND excluded.parked_until IS NULL)
                        THEN greatest(l.vtime, excluded.vtime) ELSE l.vtime END,
           tier = CASE WHEN l.ready <= 0 THEN l.priority ELSE l.tier END,
           promote_at = CASE WHEN l.ready <= 0 THEN excluded.promote_at ELSE l.promote_at END,
           parked_until = CASE
             WHEN l.ready + excluded.ready <= 0 THEN NULL
             WHEN l.ready <= 0 THEN nullif(excluded.parked_until, 'infinity')
             WHEN l.parked_until IS NULL OR excluded.parked_until IS NULL THEN NULL
             ELSE least(l.parked_until, excluded.parked_until) END
  ),
  queue_delta AS (
    SELECT c.queue, max(c.queue_hold_until) AS hold_until,
           (SELECT coalesce(sum(d.d_running), 0) FROM lane_delta d WHERE d.queue = c.queue)::int AS d_running,
           EXISTS (SELECT 1 FROM tenant_row d WHERE d.queue = c.queue AND d.hold_until IS NOT NULL) AS tenant_held
      FROM changes c GROUP BY c.queue
  )
  -- The queue's own row is not written here: its changes (running, a hold, a tenant
  -- held) are handed to step 3, which applies them in `q` and writes them with the
  -- claim's own change of the row, one UPDATE of queue_state per claim instead of two
  -- (each pays for the row version, its WAL and queue_state's sixteen CHECK constraints,
  -- parsed and compiled per statement). Nothing else reads the row in between: this
  -- function holds the row's lock.
  SELECT array_agg(d.queue), array_agg(d.d_running), array_agg(d.hold_until), array_agg(d.tenant_held)
    INTO v_fold_queues, v_fold_running, v_fold_hold, v_fold_held
    FROM queue_delta d;

  -- 3. Allocate, take, write back.
  --
  -- Candidates: per queue at most `budget` lanes from each of three index ranges:
  -- lane_active_idx in (tier, vtime) order (whose turn it is), lane_parked_idx up to now
  -- (delayed jobs now due, refilled buckets, ended holds), lane_aging_idx up to now.
  -- Parked lanes are not read before their time, which keeps idle, delayed and limited
  -- tenants from costing anything.
  --
  -- Allocation (weighted fair queueing): a lane's k-th next job has the tag
  -- v + k / weight, v being its virtual time caught up with its tier's clock; jobs go
  -- in (tier, tag) order, at most `cap` per tenant (room under its concurrency limit
  -- and tokens) and `budget` per queue (asked for, room under the queue's limit and
  -- tokens). To keep that sort small, each lane generates only the tags it could win:
  -- with lanes sorted by capacity / weight, the number of weighted rounds R that
  -- fills the tier's budget is solved exactly (lanes exhausted before R give all they
  -- have, the others R * weight), so a tier sorts about budget + one round of tags.
  --
  -- Take: per chosen lane a LIMIT n read of jobs_lane_idx (queue, tenant, priority
  -- equal, run_at <= now) with FOR UPDATE SKIP LOCKED: n index entries whatever the
  -- backlog. Write back from what was taken (`got`), not from the plan: a lane can
  -- yield fewer (its remaining jobs are delayed) and is then parked until its next
  -- job is due. Each candidate lane's parking is decided here:
  --   nothing left         → NULL (idle; in no index)
  --   tenant at its limit  → 'infinity' (unparked by the fold when one of its jobs ends)
  --   tenant held          → until the hold ends
  --   tenant out of tokens → until its next token
  --   yielded fewer than n → until its next job is due (1 s if none is found)
  --   otherwise            → NULL (claimable)
  -- EXPLAIN (18.4; 1M jobs; 10 to 10k tenants with jobs): nested loops over the small
  -- CTEs; per candidate source a Limit over an Index Scan of its lane index; WindowAgg
  -- over a Sort of the generated tags (about budget + one round rows); per chosen lane
  -- Limit → LockRows → Index Scan on jobs_lane_idx; the UPDATEs reach rows by primary key
  -- (lane_state rows by the TID read among the candidates).
  RETURN QUERY
  WITH q AS (
    -- The row as the fold leaves it (running, held_until and tenant_ver with the fold's
    -- changes); d_running, d_hold and d_ver are those changes, written by `queues`.
    SELECT s.queue, w.n AS want, s.concurrency, s.tenant_concurrency, s.running + coalesce(f.d_running, 0) AS running,
           s.aging_ms, s.vclock, greatest(s.held_until, f.d_hold) AS held_until, s.tenant_ver + coalesce(f.d_ver, 0) AS tenant_ver,
           s.tenant_rate_limit, s.tenant_rate_period_ms, s.tenant_rate_burst,
           s.rate_limit::double precision / s.rate_period_ms AS rate,
           {{schema}}.bucket_tokens(s.tokens, s.tokens_at, s.rate_limit, s.rate_period_ms, s.rate_burst, v_now) AS tokens,
           coalesce(f.d_running, 0) AS d_running, f.d_hold, coalesce(f.d_ver, 0) AS d_ver
      FROM unnest(p_queues, p_counts) AS w(queue, n)
      JOIN {{schema}}.queue_state s ON s.queue = w.queue
      LEFT JOIN LATERAL (
        SELECT sum(u.d_running)::int AS d_running, max(u.d_hold) AS d_hold, CASE WHEN bool_or(u.held) THEN 1 ELSE 0 END AS d_ver
          FROM unnest(v_fold_queues, v_fold_running, v_fold_hold, v_fold_held) AS u(queue, d_running, d_hold, held)
         WHERE u.queue = w.queue
        HAVING count(*) > 0) f ON true
  ),
  qb AS (
    SELECT q.*,
           CASE WHEN q.held_until > v_now THEN 0
                ELSE greatest(0, least(q.want, coalesce(q.concurrency - q.running, q.want), coalesce(floor(q.tokens)::int, q.want)))
           END AS budget
      FROM q
  ),
  -- Candidate lanes: per queue at most `budget` from each of three index ranges (see
  -- above). The first two are disjoint (parked_until NULL / not NULL); a lane due for
  -- promotion is an active lane too, so the third leaves out those the first took (a
  -- hashed lookup, and that range is empty unless the queue ages) rather than sorting
  -- every candidate to remove duplicates: that sort (UNION), on text keys, took ~2 of
  -- the 33 ms of a claim of 1,000 jobs over 1,000 tenants (bench/experiments/claim-cost.ts).
  -- In that order, a lane is read only while the lanes before it hold less than the
  -- budget at up to a quantum each (see `turns`; weights and limits are not known yet,
  -- so this can only keep more lanes than the turns take, never fewer): past
  -- c_turn_lanes lanes with work, a claim's later steps handle about c_turn_lanes
  -- lanes, not one per job. The running sum follows the index order (no sort).
  act AS (
    SELECT a.* FROM qb
     CROSS JOIN LATERAL (
       SELECT y.* FROM (
         SELECT x.*, x.ctid AS lane_ctid,
                sum(least(x.ready, ceil(qb.budget::double precision / c_turn_lanes)::int)) OVER (ORDER BY x.tier, x.vtime ROWS UNBOUNDED PRECEDING)
                  - least(x.ready, ceil(qb.budget::double precision / c_turn_lanes)::int) AS before
           FROM {{schema}}.lane_state x
          WHERE x.queue = qb.queue AND x.ready > 0 AND x.parked_until IS NULL
          ORDER BY x.tier, x.vtime LIMIT qb.budget) y
        WHERE y.before < qb.budget) a
  ),
  cand_lane AS (
    SELECT a.* FROM act a
    UNION ALL
    SELECT p.* FROM qb
     CROSS JOIN LATERAL (
       SELECT x.*, x.ctid AS lane_ctid, 0::bigint AS before FROM {{schema}}.lane_state x
        WHERE x.queue = qb.queue AND x.ready > 0 AND x.parked_until IS NOT NULL AND x.parked_until <= v_now
        ORDER BY x.parked_until LIMIT qb.budget) p
    UNION ALL
    SELECT g.* FROM qb
     CROSS JOIN LATERAL (
       SELECT x.*, x.ctid AS lane_ctid, 0::bigint AS before FROM {{schema}}.lane_state x
        WHERE x.queue = qb.queue AND x.ready > 0 AND x.parked_until IS NULL
          AND x.promote_at IS NOT NULL AND x.promote_at <= v_now
        ORDER BY x.promote_at LIMIT qb.budget) g
     WHERE (g.queue, g.tenant, g.priority) NOT IN (SELECT a.queue, a.tenant, a.priority FROM act a)
  ),
  -- Each candidate lane with its tenant's row (by primary key) and its queue's figures.
  -- A lane whose tenant was found plain (weight 1, no limit, hold or count of its own:
  -- the defaults) at the queue's current tenant_ver skips that probe, unless the queue
  -- sets a per-tenant default limit (the row's running or tokens are needed then); the
  -- gate is a One-Time Filter on the lateral subquery, evaluated per lane. Every writer
  -- that can make a tenant not plain bumps tenant_ver (configure, a hold in the fold).
  -- Saves a tenant_state_pkey probe per lane served (about 2.6 of a 33 ms claim of
  -- 1,000 jobs over 1,000 tenants, bench/experiments/claim-cost.ts).
  cand AS (
    SELECT l.queue, l.tenant, l.priority, l.lane_ctid, l.tier AS tier0, l.ready, l.vtime, l.promote_at AS promote0, l.parked_until,
           coalesce(t.weight, 1) AS w, t.running AS t_running, t.held_until AS t_held,
           coalesce(t.concurrency, qb.tenant_concurrency) AS lim,
           CASE WHEN t.rate_limit IS NOT NULL
                THEN {{schema}}.bucket_tokens(t.tokens, t.tokens_at, t.rate_limit, t.rate_period_ms, t.rate_burst, v_now)
                ELSE {{schema}}.bucket_tokens(t.tokens, t.tokens_at, qb.tenant_rate_limit, qb.tenant_rate_period_ms, qb.tenant_rate_burst, v_now)
           END AS tokens,
           coalesce(t.rate_limit::double precision / t.rate_period_ms,
                    qb.tenant_rate_limit::double precision / qb.tenant_rate_period_ms) AS rate,
           -- Plain now: not read (it was plain at this tenant_ver), or read and found so.
           t.tenant IS NULL
             OR (t.weight = 1 AND t.concurrency IS NULL AND t.rate_limit IS NULL AND t.running IS NULL AND t.tokens IS NULL
                 AND (t.held_until IS NULL OR t.held_until <= v_now)) AS plain,
           qb.tenant_ver, qb.budget, qb.aging_ms, qb.vclock
      FROM cand_lane l
      JOIN qb ON qb.queue = l.queue
      LEFT JOIN LATERAL (
        SELECT ts.* FROM {{schema}}.tenant_state ts
         WHERE (l.plain_ver IS DISTINCT FROM qb.tenant_ver OR qb.tenant_concurrency IS NOT NULL OR qb.tenant_rate_limit IS NOT NULL)
           AND ts.queue = l.queue AND ts.tenant = l.tenant
        OFFSET 0) t ON true
  ),
  lane_in AS (
    SELECT c.*, a.tier, a.promote_at,
           -- A lane back from parking or promoted by aging joins its tier's current round;
           -- a lane that kept competing keeps its place.
           CASE WHEN c.parked_until IS NOT NULL OR a.tier <> c.tier0 THEN greatest(c.vtime, c.vclock[a.tier + 1])
                ELSE c.vtime END AS v,
           -- The tenant's room: under its concurrency limit, whole tokens, not held.
           CASE WHEN c.t_held > v_now THEN 0
                ELSE greatest(0, least(coalesce(c.lim - c.t_running, 2147483647), coalesce(floor(c.tokens)::int, 2147483647)))
           END AS cap,
           least(c.ready, c.budget) AS c0,
           -- Claimable and in its own tier before this claim: a claim that gives it
           -- nothing leaves its row as it was (see `lanes`).
           c.parked_until IS NULL AND a.tier = c.tier0 AS steady
      FROM cand c
     -- Aging: one tier up per aging_ms gone by since promote_at without being served.
     CROSS JOIN LATERAL (
       SELECT CASE WHEN x.aged THEN greatest(0, c.tier0 - x.steps) ELSE c.tier0 END AS tier,
              CASE WHEN NOT x.aged THEN c.promote0
                   WHEN c.tier0 - x.steps > 0 THEN c.promote0 + x.steps * c.aging_ms * interval '1 millisecond' END AS promote_at
         FROM (SELECT coalesce(c.aging_ms IS NOT NULL AND c.promote0 <= v_now AND c.tier0 > 0, false) AS aged,
                      1 + floor(extract(epoch FROM v_now - c.promote0) * 1000 / c.aging_ms)::int AS steps) x
     ) a
  ),
  -- What each lane can give: its tenant's room is shared by the tenant's lanes, taken in
  -- tier order, so a lane gets the clamp of the tenant's running sum to its room.
  -- A tenant nothing limits (no concurrency limit, no tokens, not held: room 2^31 - 1)
  -- gives what each lane has; only limited tenants' lanes go through the window (its
  -- sort and two aggregates over every candidate lane took ~2 of a 33 ms claim of
  -- 1,000 jobs over 1,000 tenants, bench/experiments/claim-cost.ts).
  lane AS (
    -- Only what the rest needs: these rows go through several sorts.
    SELECT l.queue, l.tenant, l.priority, l.tier, l.promote_at, l.ready, l.v, l.w, l.cap, l.budget, l.aging_ms,
           l.lim, l.t_running, l.t_held, l.tokens, l.rate, l.plain, l.tenant_ver, l.lane_ctid, l.steady, l.c0 AS c
      FROM lane_in l
     WHERE l.cap = 2147483647
    UNION ALL
    SELECT l.queue, l.tenant, l.priority, l.tier, l.promote_at, l.ready, l.v, l.w, l.cap, l.budget, l.aging_ms,
           l.lim, l.t_running, l.t_held, l.tokens, l.rate, l.plain, l.tenant_ver, l.lane_ctid, l.steady,
           least(l.cap, sum(l.c0) OVER t) - least(l.cap, coalesce(sum(l.c0) OVER (t ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)) AS c
      FROM lane_in l
     WHERE l.cap < 2147483647
    WINDOW t AS (PARTITION BY l.queue, l.tenant ORDER BY l.tier, l.priority)
  ),
  -- The common case needs no ranking: in each queue the live lanes (c > 0) are all of
  -- one tier and none runs out before the round count R = budget / sum(weight) that
  -- fills the budget (a backlog in one lane, or one round over many tenants: the
  -- tenants benchmark's claims). Then R is what `rounds` solves, each lane takes
  -- m = least(c, ceil(R * weight)) and, when those add up to at most the budget, that is
  -- its quota, as below. When every queue is such a case (`fit`), the steps from
  -- `tiered` to `quota_ranked` are not run at all (`quota` gates them on that one
  -- value): they sort the candidate lanes six times. Measured with
  -- bench/experiments/claim-cost.ts (claims of 1,000 jobs over 1,000 tenants): those
  -- steps took 12 of a claim's 50 ms.
  --
  -- Turns: a queue with more than c_turn_lanes live lanes is served in turns of a
  -- quantum, q = ceil(budget / c_turn_lanes) jobs per unit of weight: lanes in (tier,
  -- v) order each take up to q * weight until the budget is filled, so one claim
  -- probes and writes about c_turn_lanes lanes (fewer when lanes hold less than q),
  -- whatever the number of tenants. v moves by what was taken over the weight, as
  -- always, so shares over time are those of the round robin; what changes is its
  -- granularity: past c_turn_lanes tenants with work a turn is q jobs, not one.
  -- Below that (and for claims of at most c_turn_lanes jobs, q = 1) nothing changes.
  turns AS (
    SELECT x.queue, ceil(x.budget::double precision / c_turn_lanes)::int AS quantum
      FROM (SELECT l.queue, max(l.budget) AS budget, count(*) AS lanes
              FROM lane l WHERE l.c > 0 AND l.budget > 0 GROUP BY l.queue) x
     WHERE x.lanes > c_turn_lanes
  ),
  live AS (
    SELECT l.queue, max(l.budget) AS budget, max(l.budget)::double precision / sum(l.w) AS r,
           min(l.tier) = max(l.tier) AND max(l.budget)::double precision / sum(l.w) <= min(l.c::double precision / l.w) AS one_round,
           sum(l.c) <= max(l.budget) AS all_in
      FROM lane l WHERE l.c > 0 AND l.budget > 0 AND l.queue NOT IN (SELECT t.queue FROM turns t) GROUP BY l.queue
  ),
  fit AS (
    SELECT coalesce(bool_and(v.all_in OR v.one_round AND (SELECT sum(least(l.c, ceil(v.r * l.w))) FROM lane l
                                                             WHERE l.queue = v.queue AND l.c > 0 AND l.budget > 0) <= v.budget), true) AS all_fit
      FROM live v
  ),
  -- The budget left to each lane's tier once the tiers above have taken all they can.
  tiered AS (
    SELECT l.*,
           greatest(0, l.budget - (sum(l.c) OVER (PARTITION BY l.queue ORDER BY l.tier RANGE UNBOUNDED PRECEDING)
                                   - sum(l.c) OVER (PARTITION BY l.queue, l.tier))) AS tb,
           l.c > 0 AND l.budget > 0 AS live
      FROM lane l
     WHERE l.queue NOT IN (SELECT t.queue FROM turns t)
  ),
  -- Rounds: with the tier's live lanes sorted by capacity / weight, the round count R
  -- at which the tier's budget is filled (lanes exhausted before R give c, the others
  -- R * weight) is the one whose segment [r_prev, r] holds it.
  solve AS (
    SELECT l.*,
           l.c::double precision / l.w AS r,
           lag(l.c::double precision / l.w, 1, 0::double precision) OVER o AS r_prev,
           coalesce(sum(l.c) OVER (o ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS c_before,
           sum(l.w) OVER (o ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS w_from
      FROM tiered l
    WINDOW o AS (PARTITION BY l.queue, l.tier, l.live ORDER BY l.c::double precision / l.w, l.tenant, l.priority)
  ),
  rounds AS (
    SELECT s.*,
           min((s.tb - s.c_before)::double precision / s.w_from)
             FILTER (WHERE (s.tb - s.c_before)::double precision / s.w_from BETWEEN s.r_prev AND s.r)
             OVER (PARTITION BY s.queue, s.tier, s.live) AS rr
      FROM solve s
  ),
  -- How many next tags each lane generates (the ones it could win), and how many the
  -- lanes of its queue generate together.
  gen AS (
    SELECT s.*, sum(s.m) OVER (PARTITION BY s.queue) AS m_queue
      FROM (SELECT r.*,
                   CASE WHEN NOT r.live OR r.tb <= 0 THEN 0
                        WHEN r.rr IS NULL THEN r.c
                        ELSE least(r.c, ceil(r.rr * r.w)::int) END AS m
              FROM rounds r) s
  ),
  -- Slots: each lane's next tags (k >= 1) plus one row k = 0 that keeps the lane in the
  -- pipeline when it gets nothing. A queue whose lanes generate no more tags than its
  -- budget gets every one of them (one lane with a backlog, or many tenants whose round
  -- fits the budget: the common cases): its lanes stay one row each (k = 0) and take m,
  -- instead of m rows each going through the ranking's sort.
  -- No tenant can get more than its room here: a lane's m is at most its c, and the c of
  -- a tenant's lanes add up to at most its cap (see `lane`).
  slot AS (
    SELECT s.*, k, s.v + k::double precision / s.w AS tag
      FROM gen s
     CROSS JOIN LATERAL generate_series(0, CASE WHEN s.m_queue <= s.budget THEN 0 ELSE s.m END) AS k
  ),
  by_queue AS (
    SELECT s.*, s.k > 0 AND row_number() OVER (PARTITION BY s.queue, s.k > 0 ORDER BY s.tier, s.tag, s.tenant, s.priority) <= s.budget AS chosen
      FROM slot s
  ),
  -- One row per lane again, with its quota n and its tier's last start tag served.
  quota_ranked AS (
    SELECT DISTINCT ON (s.queue, s.tenant, s.priority) s.*,
           CASE WHEN s.m_queue <= s.budget THEN s.m
                ELSE count(*) FILTER (WHERE s.chosen) OVER (PARTITION BY s.queue, s.tenant, s.priority) END AS n,
           CASE WHEN s.m_queue <= s.budget
                THEN max(s.v + (s.m - 1)::double precision / s.w) FILTER (WHERE s.m > 0) OVER (PARTITION BY s.queue, s.tier)
                ELSE max(s.tag - 1.0 / s.w) FILTER (WHERE s.chosen) OVER (PARTITION BY s.queue, s.tier) END AS served
      FROM by_queue s
     ORDER BY s.queue, s.tenant, s.priority, s.k
  ),
  -- The quota either way; `served` is per lane here (v + (n - 1) / w, its last start
  -- tag served), its tier's maximum is taken where the queue's vclock is written.
  quota AS (
    SELECT l.queue, l.tenant, l.priority, l.tier, l.promote_at, l.v, l.w, l.aging_ms, l.lim, l.t_running, l.t_held,
           l.tokens, l.rate, l.plain, l.tenant_ver, l.lane_ctid, l.steady, l.c, x.n,
           CASE WHEN x.n > 0 THEN l.v + (x.n - 1)::double precision / l.w END AS served
      FROM lane l
      LEFT JOIN live v ON v.queue = l.queue
     CROSS JOIN LATERAL (SELECT CASE WHEN l.c > 0 AND l.budget > 0 AND v.all_in THEN l.c::bigint
                                     WHEN l.c > 0 AND l.budget > 0 THEN least(l.c, ceil(v.r * l.w))::bigint ELSE 0 END AS n) x
     WHERE (SELECT f.all_fit FROM fit f) AND l.queue NOT IN (SELECT t.queue FROM turns t)
    UNION ALL
    SELECT r.queue, r.tenant, r.priority, r.tier, r.promote_at, r.v, r.w, r.aging_ms, r.lim, r.t_running, r.t_held,
           r.tokens, r.rate, r.plain, r.tenant_ver, r.lane_ctid, r.steady, r.c, r.n, r.served
      FROM quota_ranked r
     WHERE NOT (SELECT f.all_fit FROM fit f)
    UNION ALL
    -- Turns (see `turns`): what the lanes before this one take, in (tier, v) order
    -- (ties by TID: no sort on the text keys), decides what is left for it.
    SELECT l.queue, l.tenant, l.priority, l.tier, l.promote_at, l.v, l.w, l.aging_ms, l.lim, l.t_running, l.t_held,
           l.tokens, l.rate, l.plain, l.tenant_ver, l.lane_ctid, l.steady, l.c, x.n,
           CASE WHEN x.n > 0 THEN l.v + (x.n - 1)::double precision / l.w END AS served
      FROM (SELECT l.*, least(l.c, t.quantum * l.w) AS turn,
                   coalesce(sum(least(l.c, t.quantum * l.w)) OVER (PARTITION BY l.queue ORDER BY l.tier, l.v, l.lane_ctid
                                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
              FROM lane l JOIN turns t ON t.queue = l.queue) l
     CROSS JOIN LATERAL (SELECT CASE WHEN l.c > 0 AND l.budget > 0 THEN greatest(0, least(l.turn, l.budget - l.before))
                                     ELSE 0 END::bigint AS n) x
  ),
  picks AS (
    SELECT q.*, coalesce(p.ids, '{}') AS ids
      FROM quota q
     CROSS JOIN LATERAL (
       SELECT array_agg(x.id) AS ids FROM (
         SELECT jb.id FROM {{schema}}.jobs jb
          WHERE q.n > 0 AND jb.queue = q.queue AND jb.tenant = q.tenant AND jb.priority = q.priority
            AND jb.state = 'available' AND jb.run_at <= v_now
          ORDER BY jb.run_at, jb.id
          LIMIT q.n
          FOR UPDATE SKIP LOCKED) x
     ) p
  ),
  claimed AS (
    UPDATE {{schema}}.jobs j
       SET state = 'running',
           attempt = j.attempt + 1,
           started_at = v_now,  -- the clock run_at was compared with (now() is the transaction start, which can be earlier)
           locked_by = p_worker,
           lease_expires_at = now() + p_lease_ms * interval '1 millisecond'
     WHERE j.id = ANY (ARRAY(SELECT unnest(p.ids) FROM picks p))
    RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, j.attempt, j.max_attempts, j.timeout_ms, j.created_at, j.run_at
  ),
  -- What each lane got, and its tenant with it (t_got). Only a limited tenant's lanes
  -- (a concurrency limit or tokens: every lane of a tenant is alike in that) need t_got,
  -- so only they go through the window and its sort on (queue, tenant); an unlimited
  -- lane's t_got is its own got, never read.
  lane_out AS (
    SELECT p.*, cardinality(p.ids) AS got, cardinality(p.ids) AS t_got
      FROM picks p
     WHERE p.lim IS NULL AND p.tokens IS NULL
    UNION ALL
    SELECT p.*, cardinality(p.ids) AS got,
           (sum(cardinality(p.ids)) OVER (PARTITION BY p.queue, p.tenant))::int AS t_got
      FROM picks p
     WHERE p.lim IS NOT NULL OR p.tokens IS NOT NULL
  ),
  -- Only tenants with something to write: a counted running (NULL stays NULL) or tokens.
  tenants AS (
    UPDATE {{schema}}.tenant_state ts
       SET running = o.t_running + o.t_got,
           tokens = o.tokens - o.t_got,
           tokens_at = CASE WHEN o.tokens IS NULL THEN NULL ELSE v_now END
      FROM (SELECT DISTINCT ON (x.queue, x.tenant) x.* FROM lane_out x
             WHERE x.t_got > 0 AND (x.t_running IS NOT NULL OR x.tokens IS NOT NULL)
             ORDER BY x.queue, x.tenant) o
     WHERE ts.queue = o.queue AND ts.tenant = o.tenant
  ),
  lanes AS (
    UPDATE {{schema}}.lane_state ls
       SET ready = ls.ready - o.got,
           plain_ver = CASE WHEN o.plain THEN o.tenant_ver END,
           vtime = o.v + o.got::double precision / o.w,
           -- Served: back to its own tier, aging starts over.
           tier = CASE WHEN o.got > 0 THEN ls.priority ELSE o.tier END,
           promote_at = CASE
             WHEN o.got = 0 THEN o.promote_at
             WHEN o.aging_ms IS NOT NULL AND ls.priority > 0 THEN v_now + o.aging_ms * interval '1 millisecond'
           END,
           parked_until = CASE
             WHEN ls.ready - o.got <= 0 THEN NULL
             WHEN o.lim IS NOT NULL AND o.t_running + o.t_got >= o.lim THEN 'infinity'
             WHEN o.t_held > v_now THEN o.t_held
             WHEN o.tokens - o.t_got < 1 THEN v_now + (1 - (o.tokens - o.t_got)) / o.rate * interval '1 millisecond'
             WHEN o.got < o.n THEN coalesce(
               (SELECT jb.run_at FROM {{schema}}.jobs jb
                 WHERE jb.queue = o.queue AND jb.tenant = o.tenant AND jb.priority = o.priority
                   AND jb.state = 'available' AND jb.run_at > v_now
                 ORDER BY jb.run_at, jb.id LIMIT 1),
               v_now + interval '1 second')
           END
      FROM lane_out o
     -- The row version read among the candidates, by its TID instead of a lane_state_pkey
     -- descent per lane: it is still the current one (this statement's snapshot, and the
     -- queue's lock keeps every other writer of the queue's lanes out until this commits).
     WHERE ls.ctid = o.lane_ctid
       -- A claimable lane of an unlimited tenant that this claim passed over (the budget
       -- went to lanes before it) would be written as it is: its write is skipped.
       AND NOT (o.got = 0 AND o.n = 0 AND o.c > 0 AND o.steady AND o.lim IS NULL AND o.tokens IS NULL)
    RETURNING ls.queue, ls.parked_until, ls.ready > 0 AND ls.parked_until IS NOT NULL AS parked, o.lim IS NOT NULL AS tenant_limited
  ),
  -- Per queue and tier: jobs taken and the last start tag served, in one pass over the
  -- lanes (read by queue_got and by the queue's vclock).
  tier_out AS (
    SELECT o.queue, o.tier, sum(o.got)::int AS got, max(o.served) AS served FROM lane_out o GROUP BY 1, 2
  ),
  queue_got AS (
    SELECT qb.queue, qb.want, qb.budget, qb.tokens, qb.rate, qb.held_until, qb.vclock, qb.d_running, qb.d_hold, qb.d_ver,
           qb.concurrency IS NOT NULL AND qb.concurrency - qb.running < qb.want AS queue_limited,
           coalesce((SELECT sum(o.got) FROM tier_out o WHERE o.queue = qb.queue), 0)::int AS got
      FROM qb
  ),
  -- The claim's change and the fold's (see the end of step 2). A row the claim took
  -- nothing from keeps its bucket and clock as they were.
  queues AS (
    UPDATE {{schema}}.queue_state qs
       SET running = qs.running + g.d_running + g.got,
           held_until = greatest(qs.held_until, g.d_hold),
           -- A tenant held: its lanes must read its row again (see `cand`).
           tenant_ver = qs.tenant_ver + g.d_ver,
           tokens = CASE WHEN g.got > 0 THEN g.tokens - g.got ELSE qs.tokens END,
           tokens_at = CASE WHEN g.got = 0 THEN qs.tokens_at WHEN g.tokens IS NULL THEN NULL ELSE v_now END,
           vclock = CASE WHEN g.got = 0 THEN qs.vclock ELSE
                    ARRAY(SELECT greatest(g.vclock[i], coalesce((SELECT max(o.served) FROM tier_out o
                                                                 WHERE o.queue = g.queue AND o.tier = i - 1), g.vclock[i]))
                            FROM generate_series(1, 4) AS i ORDER BY i) END
      FROM queue_got g
     WHERE qs.queue = g.queue AND (g.got > 0 OR g.d_running <> 0 OR g.d_hold IS NOT NULL OR g.d_ver <> 0)
  ),
  markers AS (
    SELECT g.queue,
           g.got < g.budget AND coalesce((SELECT bool_or(l.parked) FROM lanes l WHERE l.queue = g.queue), false) AS more,
           g.queue_limited
             OR coalesce((SELECT bool_or(l.tenant_limited) FROM lanes l WHERE l.queue = g.queue), false)
             OR EXISTS (SELECT 1 FROM {{schema}}.lane_state b
                         WHERE b.queue = g.queue AND b.ready > 0 AND b.parked_until = 'infinity') AS limited,
           extract(epoch FROM least(
             CASE WHEN g.held_until > v_now THEN g.held_until END,
             CASE WHEN g.tokens < g.want THEN v_now + (1 - (g.tokens - floor(g.tokens))) / g.rate * interval '1 millisecond' END,
             (SELECT min(l.parked_until) FROM lanes l WHERE l.queue = g.queue AND l.parked_until > v_now AND l.parked_until < 'infinity'),
             (SELECT min(p.parked_until) FROM {{schema}}.lane_state p
               WHERE p.queue = g.queue AND p.ready > 0 AND p.parked_until > v_now AND p.parked_until < 'infinity')
           )) * 1000 AS wake_at
      FROM queue_got g
     WHERE g.got < g.want
  )
  SELECT c.id, c.queue, c.tenant, c.priority, c.payload, c.attempt, c.max_attempts, c.timeout_ms, c.created_at, c.run_at,
         NULL::boolean, NULL::boolean, NULL::double precision
    FROM claimed c
  UNION ALL
  SELECT NULL, m.queue, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, m.more, m.limited, m.wake_at::double precision
    FROM markers m;
END;
$fn$;

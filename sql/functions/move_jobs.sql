-- move_jobs: the one place where jobs move between available, running and finished
-- outside a claim (the claim takes available → running itself, under its queue locks).
-- finish_batch.sql, rescue.sql and cancel.sql call it, and so must any new statement
-- that moves jobs: it writes the jobs_done archive row and the lane_changes journal row
-- in the same statement as the move, which keeps the fairness counts exact (see
-- sql/migrations/0003_fairness.sql: the next claim folds the journal in).
-- {{schema}} is replaced by the configured schema name (validated, quoted). Applied by
-- migrate() when this file changes (src/db/functions.ts).
--
--   p_ids bigint[], p_attempts int[], p_kinds text[], p_results jsonb[], p_errors jsonb[],
--   p_delays float8[] (ms), p_outcomes text[] (recorded in `attempts`; NULL: the kind):
--   one move per position, the same length (the last three may be NULL arrays). The
--   move_jobs(p_moves jsonb) below takes the same moves as a JSON array of
--   {i, a, k, r, e, d, o} (rescue.sql, cancel.sql, cancel_jobs.sql build them in SQL);
--   finish_batch.sql passes the arrays (parsing a JSON document of 1,000 moves cost the
--   finish ~2.5 µs per job more: docs/performance.md, "Finish").
--     from running (guarded by attempt = a and locked_by set, i.e. still held by that attempt):
--       'complete' | 'dead'      → jobs_done (completed with r / dead)
--       'retry'                  → available after d ms, attempt charged
--       'release' | 'snooze'     → available after d ms, attempt given back
--       'rate-limit'             → as snooze, and the job's tenant is held for d ms
--       'rate-limit-queue'       → as snooze, and the job's whole queue is held for d ms
--       'rescue'                 → available at its old run_at (its place in line), attempt charged
--     from available (guarded by locked_by unset; a is ignored):
--       'cancel'                 → jobs_done as cancelled
--   e (p_errors), when an object, is appended to the job's errors. Every attempt that ran (all kinds
--   from running but 'release', whose handler never started) is appended to `attempts`
--   {attempt, worker, startedAt, endedAt, outcome, error}, except a clean completion's (kind
--   'complete', no error, no outcome): its jobs_done row keeps the worker in `worker` and
--   readers append the entry from the row (done_attempts() below; migration 0013 says
--   why: ~3.6 µs of the finish per job). A running job whose cancel was
--   requested (cancel_requested_at, set by the admin API) ends 'cancelled' whatever its
--   kind, unless it completed.
-- Returns one row per job moved: its id, queue and new state. A move whose guard fails
-- (the job was rescued, finished or claimed meanwhile) matches nothing, so a stale or
-- repeated move is harmless.
--
-- Plan stability (EXPLAIN ANALYZE under auto_explain, 18.4, after ANALYZE of a nearly
-- empty jobs table, 1,000 moves): the input is read once (unnest of the arrays, one row
-- per job: DISTINCT ON keeps a duplicate id's last move) into a materialized CTE, and
-- each data-modifying CTE is `Hash Join (Index Scan using jobs_pkey, Index Cond: id =
-- ANY(…); Hash (CTE Scan on input))`, so every row's move comes with it and no array is
-- subscripted. Before, the moves were folded into a jsonb object keyed by id, looked up
-- per row (text keys, split_part) and read by subscript: backend CPU per finished job
-- 17.4 → 16.5 µs at 1,000 completions, 23.5 → 19.4 µs at 1,000 retries
-- (bench/experiments/finish-cost.ts, ALT_FN; docs/performance.md, fifth pass). Joining the
-- input without the function's SET clauses let the planner, once ANALYZE had seen few
-- running rows, drive from jobs_lease_idx or nested-loop over a rescanned input: 1.7–7 s
-- per 2,000-row batch instead of milliseconds (bench/experiments/plans.ts). So: nested
-- loops, merge joins and seq scans are off, and `jobs` is always reached through the
-- primary key with `id = ANY(p_ids)`. bench/experiments/move-jobs-equiv.ts checks the
-- trace (returned rows, jobs_done, jobs, lane_changes) against an older move_jobs.sql,
-- including 2,500 moves after such an ANALYZE. `endedAt` is to_jsonb(now()) made once
-- (an InitPlan), the same text jsonb_build_object gives a timestamptz. The running guard
-- is `locked_by IS NOT NULL` rather than `state = 'running'` so jobs_lease_idx's
-- predicate never matches; claim sets locked_by and every path back to available
-- clears it.
CREATE OR REPLACE FUNCTION {{schema}}.move_jobs(p_ids bigint[], p_attempts int[], p_kinds text[], p_results jsonb[], p_errors jsonb[], p_delays float8[], p_outcomes text[])
RETURNS TABLE (id bigint, queue text, state text)
LANGUAGE plpgsql
-- Hash joins only (see the header: a nested loop over the input with `jobs` as the
-- outer side, or a seq scan of `jobs`, is what a small analyzed `jobs` can make
-- cheapest, and each costs O(rows × moves) or O(table) once the table is large again).
-- `jobs` is reached by its primary key (id = ANY, a ScalarArrayOpExpr index scan) and
-- hashed against the moves, so a statement is linear in its moves whatever the stats.
SET enable_nestloop = off
SET enable_mergejoin = off
SET enable_seqscan = off
-- Generic plan from the first call (a custom plan is planned again per call, with the
-- arrays folded into it as constants).
SET plan_cache_mode = force_generic_plan
AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH input AS MATERIALIZED (
    -- One row per job: a duplicate id keeps its last move. g is the guard's kind.
    SELECT DISTINCT ON (m.i) m.i, m.a, m.k, m.r, m.e, m.d, m.o,
           CASE WHEN m.k = 'cancel' THEN 'c' WHEN m.k IN ('complete', 'dead') THEN 'f' ELSE 'r' END AS g
      FROM unnest(p_ids, p_attempts, p_kinds, p_results, p_errors, p_delays, p_outcomes) WITH ORDINALITY AS m(i, a, k, r, e, d, o, n)
     WHERE m.i IS NOT NULL
     ORDER BY m.i, m.n DESC
  ),
  finished AS (
    DELETE FROM {{schema}}.jobs j
     USING input m
     WHERE j.id = ANY (p_ids)
       AND j.id = m.i
       AND CASE m.g
             WHEN 'c' THEN j.locked_by IS NULL
             WHEN 'f' THEN j.attempt = m.a AND j.locked_by IS NOT NULL
             ELSE j.attempt = m.a AND j.locked_by IS NOT NULL AND j.cancel_requested_at IS NOT NULL END
    RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, j.errors, j.attempt, j.max_attempts,
              j.dedup_key, j.run_at, j.created_at, j.started_at, j.locked_by, j.attempts, j.cancel_requested_at, j.timeout_ms,
              m.k, m.r, m.e, m.o
  ),
  archived AS (
    INSERT INTO {{schema}}.jobs_done
           (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at,
            attempts, timeout_ms, worker)
    SELECT f.id, f.queue, f.tenant, f.priority,
           CASE WHEN f.k = 'complete' THEN 'completed'
                WHEN f.k = 'cancel' OR f.cancel_requested_at IS NOT NULL THEN 'cancelled'
                ELSE 'dead' END,
           f.payload, f.r,
           CASE WHEN jsonb_typeof(f.e) = 'object' THEN f.errors || jsonb_build_array(f.e) ELSE f.errors END,
           f.attempt, f.max_attempts, f.dedup_key, f.run_at, f.created_at, f.started_at,
           CASE WHEN f.k IN ('cancel', 'release') OR f.clean THEN f.attempts
                ELSE f.attempts || jsonb_build_array(jsonb_build_object(
                       'attempt', f.attempt, 'worker', f.locked_by, 'startedAt', f.started_at, 'endedAt', (SELECT to_jsonb(now())),
                       'outcome', coalesce(f.o, f.k), 'error', f.e)) END,
           f.timeout_ms,
           -- A clean completion: its entry is done_attempts()'s to derive (finished_at is
           -- the column's default, now(), which endedAt was).
           CASE WHEN f.clean THEN f.locked_by END
      FROM (SELECT f.*, f.k = 'complete' AND f.o IS NULL AND (f.e IS NULL OR f.e = 'null'::jsonb) AS clean FROM finished f) f
    RETURNING jobs_done.id, jobs_done.queue, jobs_done.state
  ),
  requeue AS (
    SELECT coalesce(array_agg(m.i), '{}') AS ids
      FROM input m
     WHERE m.g = 'r' AND m.k IN ('retry', 'release', 'snooze', 'rate-limit', 'rate-limit-queue', 'rescue')
  ),
  requeued AS (
    UPDATE {{schema}}.jobs j
       SET state = 'available',
           run_at = CASE WHEN m.k = 'rescue' THEN j.run_at
                         ELSE now() + coalesce(m.d, 0) * interval '1 millisecond' END,
           attempt = CASE WHEN m.k IN ('retry', 'rescue') THEN j.attempt ELSE j.attempt - 1 END,
           errors = CASE WHEN jsonb_typeof(m.e) = 'object' THEN j.errors || jsonb_build_array(m.e) ELSE j.errors END,
           attempts = CASE WHEN m.k = 'release' THEN j.attempts
                           ELSE j.attempts || jsonb_build_array(jsonb_build_object(
                             'attempt', j.attempt, 'worker', j.locked_by, 'startedAt', j.started_at, 'endedAt', (SELECT to_jsonb(now())),
                             'outcome', coalesce(m.o, m.k), 'error', m.e)) END,
           locked_by = NULL,
           lease_expires_at = NULL
      FROM input m
     WHERE j.id = ANY ((SELECT ids FROM requeue)::bigint[])
       AND j.id = m.i
       AND m.g = 'r'
       AND j.attempt = m.a
       AND j.locked_by IS NOT NULL
       AND j.cancel_requested_at IS NULL
       AND m.k IN ('retry', 'release', 'snooze', 'rate-limit', 'rate-limit-queue', 'rescue')
    RETURNING j.id, j.queue, j.tenant, j.priority, j.run_at, m.k AS kind
  ),
  moved AS (
    SELECT f.queue, f.tenant, f.priority,
           CASE WHEN f.k = 'cancel' THEN -1 ELSE 0 END AS d_ready,
           CASE WHEN f.k = 'cancel' THEN 0 ELSE -1 END AS d_running,
           NULL::timestamptz AS ready_at, NULL::timestamptz AS hold_until, NULL::timestamptz AS queue_hold_until
      FROM finished f
    UNION ALL
    SELECT r.queue, r.tenant, r.priority, 1, -1, r.run_at,
           CASE WHEN r.kind = 'rate-limit' THEN r.run_at END,
           CASE WHEN r.kind = 'rate-limit-queue' THEN r.run_at END
      FROM requeued r
  ),
  journaled AS (
    INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running, ready_at, hold_until, queue_hold_until)
    SELECT g.queue, array_agg(g.tenant), array_agg(g.priority), array_agg(g.d_ready), array_agg(g.d_running),
           array_agg(g.ready_at), array_agg(g.hold_until), max(g.queue_hold_until)
      FROM (SELECT m.queue, m.tenant, m.priority, sum(m.d_ready)::int AS d_ready, sum(m.d_running)::int AS d_running,
                   min(m.ready_at) AS ready_at, max(m.hold_until) AS hold_until, max(m.queue_hold_until) AS queue_hold_until
              FROM moved m GROUP BY 1, 2, 3) g
     GROUP BY g.queue
  )
  SELECT a.id, a.queue, a.state FROM archived a
  UNION ALL
  SELECT r.id, r.queue, 'available'::text FROM requeued r;
END;
$fn$;

-- The same moves as a JSON array of {i, a, k, r, e, d, o} (see above), in order: a
-- duplicate id keeps its last move, as the arrays do. `r` absent stores SQL NULL, `r`:
-- null a JSON null, exactly as before the arrays.
CREATE OR REPLACE FUNCTION {{schema}}.move_jobs(p_moves jsonb)
RETURNS TABLE (id bigint, queue text, state text)
LANGUAGE sql AS $fn$
  SELECT m.id, m.queue, m.state
    FROM (SELECT array_agg((x ->> 'i')::bigint ORDER BY n) AS i, array_agg((x ->> 'a')::int ORDER BY n) AS a,
                 array_agg(x ->> 'k' ORDER BY n) AS k, array_agg(x -> 'r' ORDER BY n) AS r, array_agg(x -> 'e' ORDER BY n) AS e,
                 array_agg((x ->> 'd')::double precision ORDER BY n) AS d, array_agg(x ->> 'o' ORDER BY n) AS o
            FROM jsonb_array_elements(p_moves) WITH ORDINALITY AS t(x, n)) v,
         {{schema}}.move_jobs(v.i, v.a, v.k, v.r, v.e, v.d, v.o) AS m
$fn$;

-- A jobs_done row's whole attempt history: `attempts` and, when `worker` is set (a clean
-- completion since migration 0013), the final entry move_jobs() no longer writes, built
-- exactly as it was written: the same keys and values (jsonb keeps no key order), endedAt
-- the row's finished_at. Timestamps render in the reading session's TimeZone, as they
-- did in the writing session's when written (the same text when both use the server's).
-- Inlined into the readers' queries (a single-SELECT SQL function).
CREATE OR REPLACE FUNCTION {{schema}}.done_attempts(p_attempts jsonb, p_worker text, p_attempt integer,
                                                   p_started_at timestamptz, p_finished_at timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN p_worker IS NULL THEN p_attempts
              ELSE p_attempts || jsonb_build_array(jsonb_build_object(
                     'attempt', p_attempt, 'worker', p_worker, 'startedAt', p_started_at, 'endedAt', p_finished_at,
                     'outcome', 'complete', 'error', NULL::jsonb)) END
$fn$;

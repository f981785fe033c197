-- finish_batch: the status batcher's one statement per flush.
--   $1 json  array of {i: id, a: attempt, k: kind, r: result|null, e: error|null, d: delay_ms|null}
--            kind: 'complete' | 'dead'     → move to jobs_done (completed / dead)
--                  'retry'                 → available again after d ms (attempt charged)
--                  'release' | 'snooze'    → available again after d ms, attempt given back
--                  'rate-limit'            → as snooze, and the job's tenant is held for d ms
--                  'rate-limit-queue'      → as snooze, and the job's whole queue is held for d ms
--
-- Every row is guarded by (id, attempt, locked_by IS NOT NULL, i.e. still running): if the job's lease expired
-- and it was rescued (and maybe claimed again), the stale update matches nothing, so a
-- late writer never overwrites a newer attempt. Re-running a batch after a lost reply
-- is therefore harmless. One statement = one transaction for the whole batch.
-- Plan stability (EXPLAIN, 18.4, 200k backlog, analyzed): there is no join. The input
-- is folded once (an InitPlan) into a jsonb object keyed by id plus two id arrays, and
-- each CTE reaches its rows by `Index Scan using jobs_pkey, Index Cond: id = ANY(…)`,
-- reading a row's values by key (a binary search in the jsonb object). Joining the
-- input instead let the planner, once ANALYZE had seen few running rows, drive from
-- jobs_lease_idx or nested-loop over a rescanned input: 1.7–7 s per 2,000-row batch
-- instead of milliseconds (bench/experiments/plans.ts). The guard is `locked_by IS NOT
-- NULL` rather than `state = 'running'` so jobs_lease_idx's predicate never matches;
-- claim sets locked_by and every path back to available clears it.
-- Each finished attempt (every kind but 'release', whose handler never ran) is appended
-- to the job's `attempts` {attempt, worker, startedAt, endedAt, outcome, error}. A job
-- whose cancel was requested while it ran (cancel_requested_at, set by the admin API)
-- ends 'cancelled' whatever its kind, unless it completed.
-- The fairness counts (running per tenant and queue, ready per lane) are not touched
-- here, so a flush never waits for a claim: the statement appends one lane_changes row
-- per queue with what it moved, and the next claim folds it in (0003_fairness.sql).
WITH input AS MATERIALIZED (
  SELECT coalesce(jsonb_object_agg(x ->> 'i', x), '{}') AS byid,
         coalesce(array_agg((x ->> 'i')::bigint) FILTER (WHERE x ->> 'k' IN ('complete', 'dead')), '{}') AS finish_ids,
         coalesce(array_agg((x ->> 'i')::bigint) FILTER (WHERE x ->> 'k' NOT IN ('complete', 'dead')), '{}') AS requeue_ids,
         coalesce(array_agg((x ->> 'i')::bigint), '{}') AS all_ids
    FROM jsonb_array_elements($1::jsonb) AS x
),
finished AS (
  DELETE FROM {{schema}}.jobs j
   WHERE j.id = ANY ((SELECT all_ids FROM input)::bigint[])
     AND ((SELECT byid FROM input) -> j.id::text ->> 'k' IN ('complete', 'dead') OR j.cancel_requested_at IS NOT NULL)
     AND j.attempt = ((SELECT byid FROM input) -> j.id::text ->> 'a')::int
     AND j.locked_by IS NOT NULL
  RETURNING j.id, j.queue, j.tenant, j.priority, j.payload, j.errors, j.attempt, j.max_attempts,
            j.dedup_key, j.run_at, j.created_at, j.started_at, j.locked_by, j.attempts, j.cancel_requested_at,
            (SELECT byid FROM input) -> j.id::text AS x
),
archived AS (
  INSERT INTO {{schema}}.jobs_done
         (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, dedup_key, run_at, created_at, started_at,
          attempts)
  SELECT id, queue, tenant, priority,
         CASE WHEN x ->> 'k' = 'complete' THEN 'completed' WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'dead' END,
         payload, x -> 'r',
         CASE WHEN jsonb_typeof(x -> 'e') = 'object' THEN errors || jsonb_build_array(x -> 'e') ELSE errors END,
         attempt, max_attempts, dedup_key, run_at, created_at, started_at,
         attempts || jsonb_build_array(jsonb_build_object('attempt', attempt, 'worker', locked_by, 'startedAt', started_at,
                                                          'endedAt', now(), 'outcome', x ->> 'k', 'error', x -> 'e'))
    FROM finished
  RETURNING id
),
requeued AS (
  UPDATE {{schema}}.jobs j
     SET state = 'available',
         run_at = now() + coalesce((((SELECT byid FROM input) -> j.id::text) ->> 'd')::double precision, 0) * interval '1 millisecond',
         attempt = CASE WHEN (SELECT byid FROM input) -> j.id::text ->> 'k' = 'retry' THEN j.attempt ELSE j.attempt - 1 END,
         errors = CASE WHEN jsonb_typeof((SELECT byid FROM input) -> j.id::text -> 'e') = 'object'
                       THEN j.errors || jsonb_build_array((SELECT byid FROM input) -> j.id::text -> 'e')
                       ELSE j.errors END,
         attempts = CASE WHEN (SELECT byid FROM input) -> j.id::text ->> 'k' = 'release' THEN j.attempts
                         ELSE j.attempts || jsonb_build_array(jsonb_build_object(
                           'attempt', j.attempt, 'worker', j.locked_by, 'startedAt', j.started_at, 'endedAt', now(),
                           'outcome', (SELECT byid FROM input) -> j.id::text ->> 'k', 'error', (SELECT byid FROM input) -> j.id::text -> 'e')) END,
         locked_by = NULL,
         lease_expires_at = NULL
   WHERE j.id = ANY ((SELECT requeue_ids FROM input)::bigint[])
     AND j.attempt = ((SELECT byid FROM input) -> j.id::text ->> 'a')::int
     AND j.locked_by IS NOT NULL
     AND j.cancel_requested_at IS NULL
     AND (SELECT byid FROM input) -> j.id::text ->> 'k' IN ('retry', 'release', 'snooze', 'rate-limit', 'rate-limit-queue')
  RETURNING j.id, j.queue, j.tenant, j.priority, j.run_at, (SELECT byid FROM input) -> j.id::text ->> 'k' AS kind
),
moved AS (
  SELECT queue, tenant, priority, 0 AS d_ready, -1 AS d_running,
         NULL::timestamptz AS ready_at, NULL::timestamptz AS hold_until, NULL::timestamptz AS queue_hold_until
    FROM finished
  UNION ALL
  SELECT queue, tenant, priority, 1, -1, run_at,
         CASE WHEN kind = 'rate-limit' THEN run_at END,
         CASE WHEN kind = 'rate-limit-queue' THEN run_at END
    FROM requeued
),
journaled AS (
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running, ready_at, hold_until, queue_hold_until)
  SELECT queue, array_agg(tenant), array_agg(priority), array_agg(d_ready), array_agg(d_running),
         array_agg(ready_at), array_agg(hold_until), max(queue_hold_until)
    FROM (SELECT queue, tenant, priority, sum(d_ready)::int AS d_ready, sum(d_running)::int AS d_running,
                 min(ready_at) AS ready_at, max(hold_until) AS hold_until, max(queue_hold_until) AS queue_hold_until
            FROM moved GROUP BY 1, 2, 3) g
   GROUP BY queue
)
SELECT (SELECT count(*) FROM archived)::int AS finished,
       (SELECT count(*) FROM requeued)::int AS requeued

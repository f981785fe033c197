-- fold: adds rollup rows older than the cutoff into monitor_totals and marks them
-- folded, in one statement (one transaction), so the counters read by totals.sql
-- (totals + unfolded rows) stay whole. Pruning then deletes folded rows only.
--   $1 timestamptz cutoff (a couple of hours back: no process rewrites rows that old)
WITH gone AS (
  UPDATE {{schema}}.monitor_rollups SET folded = true WHERE NOT folded AND minute < $1 RETURNING *
), sums AS (
  SELECT queue, sum(enqueued) AS enqueued, sum(completed) AS completed, sum(failed) AS failed, sum(retried) AS retried, sum(dead) AS dead,
         sum(snoozed) AS snoozed, sum(rate_limited) AS rate_limited, sum(wait_sum_ms) AS wait_sum_ms,
         sum(run_sum_ms) AS run_sum_ms
    FROM gone GROUP BY queue
), b AS (
  SELECT queue, i, sum(w)::bigint AS w, sum(x)::bigint AS x
    FROM gone, unnest(gone.wait_buckets, gone.run_buckets) WITH ORDINALITY AS u(w, x, i)
   GROUP BY queue, i
)
INSERT INTO {{schema}}.monitor_totals AS t
       (queue, enqueued, completed, failed, retried, dead, snoozed, rate_limited, wait_sum_ms, run_sum_ms, wait_buckets, run_buckets)
SELECT s.queue, s.enqueued, s.completed, s.failed, s.retried, s.dead, s.snoozed, s.rate_limited, s.wait_sum_ms, s.run_sum_ms,
       (SELECT array_agg(w ORDER BY i) FROM b WHERE b.queue = s.queue),
       (SELECT array_agg(x ORDER BY i) FROM b WHERE b.queue = s.queue)
  FROM sums s
    ON CONFLICT (queue) DO UPDATE
   SET enqueued = t.enqueued + EXCLUDED.enqueued, completed = t.completed + EXCLUDED.completed, failed = t.failed + EXCLUDED.failed,
       retried = t.retried + EXCLUDED.retried, dead = t.dead + EXCLUDED.dead, snoozed = t.snoozed + EXCLUDED.snoozed,
       rate_limited = t.rate_limited + EXCLUDED.rate_limited, wait_sum_ms = t.wait_sum_ms + EXCLUDED.wait_sum_ms,
       run_sum_ms = t.run_sum_ms + EXCLUDED.run_sum_ms,
       wait_buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(c, 0) FROM unnest(t.wait_buckets, EXCLUDED.wait_buckets) AS u(a, c)),
       run_buckets = ARRAY(SELECT coalesce(a, 0) + coalesce(c, 0) FROM unnest(t.run_buckets, EXCLUDED.run_buckets) AS u(a, c))

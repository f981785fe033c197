-- totals: cumulative outcome counts and histograms per queue for the Prometheus
-- counters: folded rollups (monitor_totals) plus the rollup rows not folded yet (the
-- last couple of hours, through monitor_rollups_unfolded_idx). Both only grow (rows
-- hold cumulative values; the fold moves a row's sums into totals in one transaction),
-- so the counters never go down, and the cost does not grow with the retention.
WITH r AS (
  SELECT queue, sum(enqueued)::bigint AS enqueued, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed, sum(retried)::bigint AS retried,
         sum(dead)::bigint AS dead, sum(snoozed)::bigint AS snoozed, sum(rate_limited)::bigint AS rate_limited,
         sum(wait_sum_ms) AS wait_sum_ms, sum(run_sum_ms) AS run_sum_ms
    FROM {{schema}}.monitor_rollups WHERE NOT folded GROUP BY queue
  UNION ALL
  SELECT queue, enqueued, completed, failed, retried, dead, snoozed, rate_limited, wait_sum_ms, run_sum_ms
    FROM {{schema}}.monitor_totals
), b AS (
  SELECT queue, i, sum(w)::bigint AS w, sum(x)::bigint AS x
    FROM (SELECT queue, wait_buckets, run_buckets FROM {{schema}}.monitor_rollups WHERE NOT folded
          UNION ALL SELECT queue, wait_buckets::int[], run_buckets::int[] FROM {{schema}}.monitor_totals) s,
         unnest(s.wait_buckets, s.run_buckets) WITH ORDINALITY AS u(w, x, i)
   GROUP BY queue, i
)
SELECT r.queue, sum(enqueued)::bigint AS enqueued, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed, sum(retried)::bigint AS retried,
       sum(dead)::bigint AS dead, sum(snoozed)::bigint AS snoozed, sum(rate_limited)::bigint AS rate_limited,
       sum(wait_sum_ms) AS wait_sum_ms, sum(run_sum_ms) AS run_sum_ms,
       (SELECT array_agg(w ORDER BY i) FROM b WHERE b.queue = r.queue) AS wait_buckets,
       (SELECT array_agg(x ORDER BY i) FROM b WHERE b.queue = r.queue) AS run_buckets
  FROM r GROUP BY r.queue ORDER BY r.queue

-- timeseries: rollups merged per step for the dashboard.
--   $1 text queue (NULL: all)   $2 timestamptz from   $3 timestamptz to   $4 int step seconds
-- Reads monitor_rollups by its primary key (queue, minute) or, for all queues, by
-- monitor_rollups_minute_idx; the rows read are steps × queues × worker processes.
WITH rows AS (
  SELECT to_timestamp(floor(extract(epoch FROM minute) / $4) * $4) AS t, *
    FROM {{schema}}.monitor_rollups
   WHERE minute >= $2 AND minute < $3 AND ($1::text IS NULL OR queue = $1)
), b AS (
  SELECT t, i, sum(w)::bigint AS w, sum(x)::bigint AS x
    FROM rows, unnest(rows.wait_buckets, rows.run_buckets) WITH ORDINALITY AS u(w, x, i)
   GROUP BY t, i
)
SELECT r.t, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed, sum(retried)::bigint AS retried,
       sum(dead)::bigint AS dead, sum(snoozed)::bigint AS snoozed, sum(rate_limited)::bigint AS rate_limited,
       (SELECT array_agg(w ORDER BY i) FROM b WHERE b.t = r.t) AS wait_buckets,
       (SELECT array_agg(x ORDER BY i) FROM b WHERE b.t = r.t) AS run_buckets
  FROM rows r GROUP BY r.t ORDER BY r.t

-- top_tenants: the busiest tenants per queue over the last $1 minutes, from the
-- rollups' per-minute top-N maps. Everything past the top $2 is reported as "~other"
-- by the caller, so the answer's size does not grow with the tenant count.
--   $1 int minutes   $2 int N
WITH t AS (
  SELECT r.queue, e.key AS tenant, sum((e.value ->> 0)::bigint) AS completed, sum((e.value ->> 1)::bigint) AS failed
    FROM {{schema}}.monitor_rollups r, jsonb_each(r.tenants) AS e
   WHERE r.minute >= date_trunc('minute', now()) - $1 * interval '1 minute'
   GROUP BY 1, 2
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY queue ORDER BY tenant = '~other', completed + failed DESC, tenant) AS rank FROM t
)
SELECT queue, CASE WHEN rank <= $2 AND tenant <> '~other' THEN tenant ELSE '~other' END AS tenant,
       sum(completed)::bigint AS completed, sum(failed)::bigint AS failed
  FROM ranked GROUP BY 1, 2 ORDER BY 1, 2

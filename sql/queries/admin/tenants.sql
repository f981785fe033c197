-- tenants: one page of a queue's tenants with their backlog, running jobs, settings and
-- rate-limit state, sorted by backlog, running or name, keyset-paginated.
--   $1 text queue   $2 text sort ('backlog' | 'running' | 'name')   $3 boolean descending
--   $4 text name prefix (search, NULL: all)   $5 bigint cursor sort value   $6 text cursor tenant
--   $7 int page size + 1   $8 text only this tenant (a tenant-scoped caller; NULL: any)
-- Cost: backlog and running are computed for every tenant of the queue (tenant_state by
-- its primary key range, lane_state summed per tenant): linear in the queue's tenants,
-- about 10,000 rows for 10,000 tenants, never in its jobs.
WITH pend AS (
  SELECT u.tenant, sum(u.d_ready)::bigint AS d_ready, sum(u.d_running)::bigint AS d_running
    FROM {{schema}}.lane_changes c
   CROSS JOIN LATERAL unnest(c.tenants, c.d_ready, c.d_running) AS u(tenant, d_ready, d_running)
   WHERE c.queue = $1
   GROUP BY u.tenant
),
lanes AS (
  SELECT l.tenant, sum(l.ready)::bigint AS ready FROM {{schema}}.lane_state l WHERE l.queue = $1 GROUP BY l.tenant
),
t AS (
  SELECT s.tenant, s.weight, s.concurrency, s.rate_limit, s.rate_period_ms, s.rate_burst, s.held_until, s.configured_at,
         {{schema}}.bucket_tokens(s.tokens, s.tokens_at, s.rate_limit, s.rate_period_ms, s.rate_burst, now()) AS tokens,
         (coalesce(l.ready, 0) + coalesce(p.d_ready, 0))::bigint AS backlog,
         (s.running + coalesce(p.d_running, 0))::bigint AS running
    FROM {{schema}}.tenant_state s
    LEFT JOIN lanes l ON l.tenant = s.tenant
    LEFT JOIN pend p ON p.tenant = s.tenant
   WHERE s.queue = $1
     AND ($4::text IS NULL OR starts_with(s.tenant, $4))
     AND ($8::text IS NULL OR s.tenant = $8)
),
k AS (
  SELECT t.*, CASE $2 WHEN 'backlog' THEN t.backlog WHEN 'running' THEN t.running ELSE 0 END AS sort_value FROM t
)
SELECT k.* FROM k
 WHERE $6::text IS NULL
    OR (NOT $3 AND (k.sort_value, k.tenant) > ($5::bigint, $6::text))
    OR ($3 AND (k.sort_value, k.tenant) < ($5::bigint, $6::text))
 ORDER BY CASE WHEN $3 THEN k.sort_value END DESC, CASE WHEN $3 THEN k.tenant END DESC,
          CASE WHEN NOT $3 THEN k.sort_value END ASC, CASE WHEN NOT $3 THEN k.tenant END ASC
 LIMIT $7

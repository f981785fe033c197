-- tenants: one page of a queue's tenants with their backlog, running jobs, settings,
-- rate-limit state and share of the queue's completed jobs over a window, sorted by
-- backlog, running, completed (in the window) or name, keyset-paginated.
--   $1 text queue   $2 text sort ('backlog' | 'running' | 'completed' | 'name')   $3 boolean descending
--   $4 text name prefix (search, NULL: all)   $5 bigint cursor sort value   $6 text cursor tenant
--   $7 int page size + 1   $8 text only this tenant (a tenant-scoped caller; NULL: any)
--   $9 int window in minutes (the current minute and the $9 whole minutes before it)
-- Cost: backlog and running are computed for every tenant of the queue (tenant_state by
-- its primary key range, lane_state summed per tenant, running jobs counted): linear in the queue's tenants,
-- about 10,000 rows for 10,000 tenants, never in its jobs. The window's rollup rows are
-- read once by their primary key range (queue, minute): minutes × worker processes rows
-- of at most topTenants + 1 keys each, whatever the tenant count. Their per-tenant sums
-- join the page's rows only, except when sorting by completed (a hash join of that small
-- set to the queue's tenants).
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
-- Running jobs per tenant, from the jobs (tenant_state.running is kept only for tenants
-- with a concurrency limit: sql/functions/tenant_running.sql). Few rows: running jobs
-- are bounded by the workers' concurrency and buffers (jobs_lease_idx).
run AS (
  SELECT j.tenant, count(*)::bigint AS n FROM {{schema}}.jobs j WHERE j.queue = $1 AND j.state = 'running' GROUP BY j.tenant
),
-- The fair share's denominator: the weights of every tenant with a backlog (not only
-- this page's, nor only the search's). Its own scan, so that t below stays inlined and
-- the search still filters tenant_state before the tokens are computed.
weights AS (
  SELECT coalesce(sum(s.weight) FILTER (WHERE coalesce(l.ready, 0) + coalesce(p.d_ready, 0) > 0), 0)::bigint AS with_work
    FROM {{schema}}.tenant_state s
    LEFT JOIN lanes l ON l.tenant = s.tenant
    LEFT JOIN pend p ON p.tenant = s.tenant
   WHERE s.queue = $1
),
t AS (
  SELECT s.tenant, s.weight, s.concurrency, s.rate_limit, s.rate_period_ms, s.rate_burst, s.held_until, s.configured_at,
         {{schema}}.bucket_tokens(s.tokens, s.tokens_at, s.rate_limit, s.rate_period_ms, s.rate_burst, now()) AS tokens,
         (coalesce(l.ready, 0) + coalesce(p.d_ready, 0))::bigint AS backlog,
         coalesce(r.n, 0)::bigint AS running
    FROM {{schema}}.tenant_state s
    LEFT JOIN lanes l ON l.tenant = s.tenant
    LEFT JOIN pend p ON p.tenant = s.tenant
    LEFT JOIN run r ON r.tenant = s.tenant
   WHERE s.queue = $1
     AND ($4::text IS NULL OR starts_with(s.tenant, $4))
     AND ($8::text IS NULL OR s.tenant = $8)
),
win AS (
  SELECT r.completed, r.tenants, r.tenants ? '~other' AS trimmed
    FROM {{schema}}.monitor_rollups r
   WHERE r.queue = $1 AND r.minute >= date_trunc('minute', now()) - $9 * interval '1 minute'
),
queue_window AS (
  SELECT coalesce(sum(w.completed), 0)::bigint AS completed, count(*) FILTER (WHERE w.trimmed)::int AS trimmed_rows FROM win w
),
-- Per tenant: completed jobs in the rows that listed it, and how many of the rows that
-- summed tenants into "~other" listed it (all of them: nothing of it can hide there).
per_tenant AS (
  SELECT e.key AS tenant, sum((e.value ->> 0)::bigint)::bigint AS completed,
         count(*) FILTER (WHERE w.trimmed)::int AS trimmed_listed
    FROM win w, jsonb_each(w.tenants) AS e
   WHERE e.key <> '~other'
   GROUP BY e.key
),
k AS (
  SELECT t.*,
         CASE $2 WHEN 'backlog' THEN t.backlog WHEN 'running' THEN t.running
                 WHEN 'completed' THEN coalesce(a.completed, CASE WHEN qw.trimmed_rows = 0 THEN 0 ELSE -1 END)
                 ELSE 0 END AS sort_value
    FROM t
    LEFT JOIN per_tenant a ON $2 = 'completed' AND a.tenant = t.tenant
   CROSS JOIN queue_window qw
),
page AS (
  SELECT k.* FROM k
   WHERE $6::text IS NULL
      OR (NOT $3 AND (k.sort_value, k.tenant) > ($5::bigint, $6::text))
      OR ($3 AND (k.sort_value, k.tenant) < ($5::bigint, $6::text))
   ORDER BY CASE WHEN $3 THEN k.sort_value END DESC, CASE WHEN $3 THEN k.tenant END DESC,
            CASE WHEN NOT $3 THEN k.sort_value END ASC, CASE WHEN NOT $3 THEN k.tenant END ASC
   LIMIT $7
)
-- Not listed by any row: 0 when no row summed tenants into "~other" (it completed
-- nothing), else unknown (NULL).
SELECT p.*, coalesce(a.completed, CASE WHEN qw.trimmed_rows = 0 THEN 0 END) AS completed_in_window,
       coalesce(a.trimmed_listed, 0) = qw.trimmed_rows AS completed_exact,
       qw.completed AS queue_completed, w.with_work
  FROM page p
  LEFT JOIN per_tenant a ON a.tenant = p.tenant
 CROSS JOIN queue_window qw
 CROSS JOIN weights w
 ORDER BY CASE WHEN $3 THEN p.sort_value END DESC, CASE WHEN $3 THEN p.tenant END DESC,
          CASE WHEN NOT $3 THEN p.sort_value END ASC, CASE WHEN NOT $3 THEN p.tenant END ASC

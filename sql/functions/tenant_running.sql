-- Which tenants' running jobs are counted (issue #9, sql/migrations/0012_tenant_running.sql).
-- {{schema}} is replaced by the configured schema name (validated, quoted). Applied by
-- migrate() when this file changes (src/db/functions.ts).
--
-- tenant_state.running is kept (by claims and folds) only for tenants a concurrency
-- limit applies to: their own `concurrency` or their queue's `tenant_concurrency`; for
-- every other tenant it is NULL and no claim or fold writes the tenant's row for it.
-- sync_tenant_running(queue[, tenant]) makes that so for one queue (or one of its
-- tenants) after its settings or a tenant's changed: a tenant that became limited gets its count, one no longer limited
-- gets NULL. Callers hold the queue's state row FOR UPDATE (as a claim does), so no claim
-- runs meanwhile and the count is exact from the next claim on.
--
-- The count is the tenant's running jobs less the changes not folded in yet, both read
-- in this one statement's snapshot: a job finished by a transaction that committed
-- before it is neither running nor left out twice (its lane_changes row, still pending,
-- is subtracted here and added back by the next fold), one finished after it is folded
-- in later as usual.
-- EXPLAIN: running jobs of the queue by jobs_lease_idx (partial on state = 'running':
-- few rows); the queue's tenants by the tenant_state_pkey range; hash joins.
-- Returns the number of tenant rows changed.
CREATE OR REPLACE FUNCTION {{schema}}.sync_tenant_running(p_queue text, p_tenant text DEFAULT NULL)
RETURNS integer
LANGUAGE sql AS $fn$
  WITH target AS (
    SELECT t.tenant, coalesce(t.concurrency, q.tenant_concurrency) IS NOT NULL AS limited
      FROM {{schema}}.tenant_state t
      JOIN {{schema}}.queue_state q ON q.queue = t.queue
     WHERE t.queue = p_queue AND (p_tenant IS NULL OR t.tenant = p_tenant)
       AND (t.running IS NULL) = (coalesce(t.concurrency, q.tenant_concurrency) IS NOT NULL)
  ),
  run AS (
    SELECT j.tenant, count(*)::int AS n
      FROM {{schema}}.jobs j
     WHERE j.queue = p_queue AND j.state = 'running' AND (p_tenant IS NULL OR j.tenant = p_tenant)
     GROUP BY j.tenant
  ),
  pend AS (
    SELECT u.tenant, sum(u.d_running)::int AS d
      FROM {{schema}}.lane_changes c
     CROSS JOIN LATERAL unnest(c.tenants, c.d_running) AS u(tenant, d_running)
     WHERE c.queue = p_queue
     GROUP BY u.tenant
  ),
  changed AS (
    UPDATE {{schema}}.tenant_state t
       SET running = CASE WHEN g.limited THEN coalesce(r.n, 0) - coalesce(p.d, 0) END
      FROM target g
      LEFT JOIN run r ON r.tenant = g.tenant
      LEFT JOIN pend p ON p.tenant = g.tenant
     WHERE t.queue = p_queue AND t.tenant = g.tenant
    RETURNING 1
  )
  SELECT count(*)::int FROM changed
$fn$;

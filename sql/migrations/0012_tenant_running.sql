-- rota 0012: tenant_state.running is kept only for tenants a concurrency limit applies
-- to (issue #9).
--
-- A claim used to write the row of every tenant it served (running + n) and the next
-- claim's fold wrote it again when those jobs ended (running - n): two row writes per
-- tenant per round, about a third of a many-tenant claim's cost, for a count that only
-- a concurrency limit reads. Now running IS NULL means "not counted": the tenant has no
-- concurrency limit of its own and its queue no tenant_concurrency, so claims and folds
-- leave its row alone (a rate limit still writes its tokens). Readers that show running
-- jobs per tenant (admin API, CLI, dashboard) count them from jobs (state = 'running':
-- bounded by the workers' concurrency and buffers). Setting a limit recounts the
-- tenant's running under its queue's lock (sync_tenant_running() in
-- sql/functions/tenant_running.sql), so the limit is exact from the next claim on.
-- {{schema}} is replaced by the configured schema name (validated, quoted).
ALTER TABLE {{schema}}.tenant_state ALTER COLUMN running DROP NOT NULL;

UPDATE {{schema}}.tenant_state t
   SET running = NULL
  FROM {{schema}}.queue_state q
 WHERE q.queue = t.queue AND t.concurrency IS NULL AND q.tenant_concurrency IS NULL AND t.running IS NOT NULL;

-- Lanes of tenants with default settings skip the claim's tenant_state probe (issue #9).
-- queue_state.tenant_ver goes up whenever a tenant row of the queue may have stopped
-- being "plain" (weight 1, no concurrency or rate limit of its own, no hold, running not
-- counted): a tenant configured, a tenant held by ctx.rateLimit. lane_state.plain_ver is
-- the tenant_ver at which the claim last found the lane's tenant plain (NULL: unknown or
-- not plain); while the two are equal and the queue sets no per-tenant default limit, the
-- claim takes the defaults instead of reading the tenant's row. The claim writes every
-- lane it serves anyway, so keeping plain_ver costs no write of its own.
ALTER TABLE {{schema}}.queue_state ADD COLUMN tenant_ver bigint NOT NULL DEFAULT 0;
ALTER TABLE {{schema}}.lane_state ADD COLUMN plain_ver bigint;

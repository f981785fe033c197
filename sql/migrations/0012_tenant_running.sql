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

ALTER TABLE {{schema}}.lane_state DROP COLUMN IF EXISTS plain_ver;
ALTER TABLE {{schema}}.queue_state DROP COLUMN IF EXISTS tenant_ver;
-- Every tenant counted again: running = its running jobs less the changes not folded
-- in yet (the next claim's fold adds those), as sync_tenant_running() computes it.
UPDATE {{schema}}.tenant_state t
   SET running = (SELECT count(*) FROM {{schema}}.jobs j WHERE j.queue = t.queue AND j.tenant = t.tenant AND j.state = 'running')
               - coalesce((SELECT sum(u.d_running) FROM {{schema}}.lane_changes c
                             CROSS JOIN LATERAL unnest(c.tenants, c.d_running) AS u(tenant, d_running)
                            WHERE c.queue = t.queue AND u.tenant = t.tenant), 0)
 WHERE t.running IS NULL;
ALTER TABLE {{schema}}.tenant_state ALTER COLUMN running SET NOT NULL;

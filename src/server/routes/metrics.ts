import { type MonitorApp, type MonitorRouteDeps, refuseTenantTokens } from '../../monitor/http.js';
import { METRICS_CONTENT_TYPE } from '../../monitor/metrics.js';

/** GET /metrics: Prometheus text exposition (see docs/monitoring.md for a scrape config). */
export async function metricsRoutes(app: MonitorApp, deps: MonitorRouteDeps): Promise<void> {
  app.get('/metrics', { config: { access: 'viewer' }, schema: { hide: true } }, async (request, reply) => {
    if (refuseTenantTokens(request, reply)) return reply;
    const body = await deps.rota.monitor.metrics();
    return reply.type(METRICS_CONTENT_TYPE).send(body);
  });
}

import { METRICS_CONTENT_TYPE } from '../../monitor/metrics.js';
import type { RouteDeps, ZodApp } from '../types.js';

/** GET /metrics: Prometheus text exposition of the cluster (docs/monitoring.md has a scrape config). */
export async function metricsRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  app.get('/metrics', { config: { access: 'viewer' }, schema: { hide: true } }, async (_request, reply) => {
    const body = await deps.rota.monitor.metrics();
    return reply.type(METRICS_CONTENT_TYPE).send(body);
  });
}

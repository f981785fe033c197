import type { RouteDeps, ZodApp } from '../types.js';
import { alertsRoutes } from './alerts.js';
import { healthRoutes } from './health.js';
import { meRoutes } from './me.js';
import { metricsRoutes } from './metrics.js';
import { timeseriesRoutes } from './timeseries.js';

/** Every resource's routes. A new resource: add its plugin here. */
export async function registerRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  await meRoutes(app, deps);
  await metricsRoutes(app, deps);
  await healthRoutes(app, deps);
  await alertsRoutes(app, deps);
  await timeseriesRoutes(app, deps);
}

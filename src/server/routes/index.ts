import type { RouteDeps, ZodApp } from '../types.js';
import { alertsRoutes } from './alerts.js';
import { breakersRoutes } from './breakers.js';
import { healthRoutes } from './health.js';
import { jobsRoutes } from './jobs.js';
import { meRoutes } from './me.js';
import { metricsRoutes } from './metrics.js';
import { queuesRoutes } from './queues.js';
import { schedulesRoutes } from './schedules.js';
import { systemRoutes } from './system.js';
import { timeseriesRoutes } from './timeseries.js';
import { tokensRoutes } from './tokens.js';

/** Every resource's routes. A new resource: add its plugin here. */
export async function registerRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  await meRoutes(app, deps);
  await metricsRoutes(app, deps);
  await healthRoutes(app, deps);
  await alertsRoutes(app, deps);
  await timeseriesRoutes(app, deps);
  await jobsRoutes(app, deps);
  await queuesRoutes(app, deps);
  await schedulesRoutes(app, deps);
  await systemRoutes(app, deps);
  await breakersRoutes(app, deps);
  await tokensRoutes(app, deps);
}

import type { RouteDeps, ZodApp } from '../types.js';
import { breakersRoutes } from './breakers.js';
import { jobsRoutes } from './jobs.js';
import { meRoutes } from './me.js';
import { queuesRoutes } from './queues.js';
import { schedulesRoutes } from './schedules.js';
import { systemRoutes } from './system.js';
import { tokensRoutes } from './tokens.js';

/** Every resource's routes. A new resource: add its plugin here. */
export async function registerRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  await meRoutes(app, deps);
  await jobsRoutes(app, deps);
  await queuesRoutes(app, deps);
  await schedulesRoutes(app, deps);
  await systemRoutes(app, deps);
  await breakersRoutes(app, deps);
  await tokensRoutes(app, deps);
}

import type { RouteDeps, ZodApp } from '../types.js';
import { jobsRoutes } from './jobs.js';
import { meRoutes } from './me.js';
import { tokensRoutes } from './tokens.js';

/** Every resource's routes. A new resource: add its plugin here. */
export async function registerRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  await meRoutes(app, deps);
  await jobsRoutes(app, deps);
  await tokensRoutes(app, deps);
}

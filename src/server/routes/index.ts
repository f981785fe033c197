import type { RouteDeps, ZodApp } from '../types.js';
import { meRoutes } from './me.js';

/** Every resource's routes. A new resource: add its plugin here. */
export async function registerRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  await meRoutes(app, deps);
}

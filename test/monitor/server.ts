/**
 * A real listening Fastify with the monitoring routes only (until the management
 * server's buildServer is merged in). Not a test file.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Rota } from '../../src/index.js';
import { alertsRoutes } from '../../src/server/routes/alerts.js';
import { healthRoutes } from '../../src/server/routes/health.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { timeseriesRoutes } from '../../src/server/routes/timeseries.js';

export async function listen(rota: Rota): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const deps = { rota };
  await app.register(async (a) => metricsRoutes(a, deps));
  await app.register(async (a) => healthRoutes(a, deps));
  await app.register(async (a) => alertsRoutes(a, deps));
  await app.register(async (a) => timeseriesRoutes(a, deps));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}

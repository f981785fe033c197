import { z } from 'zod';
import { ErrorReply } from '../errors.js';
import { JsonValue, PageQuery, page, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';

const Pool = z.object({ total: z.number().int(), idle: z.number().int(), waiting: z.number().int() });

const Worker = z
  .object({
    id: z.string(),
    hostname: z.string(),
    pid: z.number().int(),
    queues: z.array(z.string()),
    startedAt: z.string(),
    heartbeatAgeMs: z.number(),
    stats: JsonValue.describe(
      'pool (total/idle/waiting), batcher, claims, running and concurrency per queue, throughput, resilience (guard, breakers, the backoff each worked queue uses now: retry)',
    ),
  })
  .meta({ id: 'Worker' });

const Connections = z
  .object({
    maxConnections: z.number().int(),
    reserved: z.number().int().describe('superuser_reserved_connections + reserved_connections'),
    used: z.number().int(),
    available: z.number().int().describe('maxConnections - reserved - used'),
    byApplication: z.array(z.object({ application: z.string(), state: z.string(), count: z.number().int() })),
    pools: z.array(z.object({ worker: z.string(), hostname: z.string(), pid: z.number().int(), pool: Pool.nullable() })),
  })
  .meta({ id: 'Connections' });

export async function systemRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;

  app.get(
    '/api/workers',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['system'],
        summary: 'Live worker processes (heartbeat within staleMs, default 60 s)',
        querystring: z.strictObject({ staleMs: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000), ...PageQuery }),
        response: { 200: page(Worker, 'WorkerPage'), 400: ErrorReply },
      },
    },
    async (request) => wire(await rota.admin.workerPage(request.query)),
  );

  app.get(
    '/api/connections',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['system'],
        summary:
          "PostgreSQL connection use against max_connections (reserved slots excluded), by application and state; each rota process's pool",
        response: { 200: Connections },
      },
    },
    async () => rota.admin.connections(),
  );
}

import { z } from 'zod';
import type { RouteDeps, ZodApp } from '../types.js';

const check = z.object({
  name: z.string(),
  ok: z.boolean(),
  durationMs: z.number(),
  message: z.string(),
});
const readiness = z.object({ status: z.enum(['ok', 'fail']), checks: z.array(check) });

/**
 * /health/live: the process answers (no I/O). /health/ready: database reachable,
 * migrations current, pool not exhausted, connection headroom (503 otherwise).
 * /health: readiness plus this process's in-memory alerts and the evaluator.
 */
export async function healthRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;
  app.get(
    '/health/live',
    { config: { access: 'public' }, schema: { tags: ['monitoring'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    { config: { access: 'public' }, schema: { tags: ['monitoring'], response: { 200: readiness, 503: readiness } } },
    async (_request, reply) => {
      const h = await rota.monitor.health();
      return reply.code(h.ok ? 200 : 503).send({ status: h.ok ? 'ok' : 'fail', checks: h.checks });
    },
  );

  app.get(
    '/health',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['monitoring'],
        response: {
          200: readiness.extend({
            worker: z.string(),
            evaluating: z.boolean(),
            pool: z.object({ total: z.number(), idle: z.number(), waiting: z.number() }),
            localAlerts: z.array(
              z.object({ type: z.string(), severity: z.string(), subject: z.string(), message: z.string(), persisted: z.boolean() }),
            ),
          }),
        },
      },
    },
    async () => {
      const h = await rota.monitor.health();
      return {
        status: h.ok ? ('ok' as const) : ('fail' as const),
        checks: h.checks,
        worker: rota.workerId,
        evaluating: rota.monitor.evaluating,
        pool: rota.poolStats(),
        localAlerts: rota.monitor.localAlerts().map((a) => ({
          type: a.type,
          severity: a.severity,
          subject: a.subject,
          message: a.message,
          persisted: a.id !== null,
        })),
      };
    },
  );
}

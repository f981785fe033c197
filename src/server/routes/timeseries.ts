import { z } from 'zod';
import { ErrorReply } from '../errors.js';
import type { RouteDeps, ZodApp } from '../types.js';

const pct = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });

/** GET /api/timeseries: per-step outcome counts and wait / run percentiles (ms) from the per-minute rollups. */
export async function timeseriesRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  app.get(
    '/api/timeseries',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['monitoring'],
        querystring: z.object({
          queue: z.string().min(1).max(200).optional(),
          from: z.iso.datetime({ offset: true }).optional().describe('default: an hour before `to`'),
          to: z.iso.datetime({ offset: true }).optional().describe('default: now'),
          stepSec: z.coerce.number().int().min(60).max(86_400).default(60),
        }),
        response: {
          200: z.object({
            stepSec: z.number(),
            points: z.array(
              z.object({
                t: z.string(),
                completed: z.number(),
                failed: z.number(),
                retried: z.number(),
                dead: z.number(),
                snoozed: z.number(),
                rateLimited: z.number(),
                wait: pct,
                run: pct,
              }),
            ),
          }),
          400: ErrorReply,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 3_600_000);
      // The library validates the range (to after from, at most 10,000 steps): a 400 naming the field.
      const points = await deps.rota.monitor.timeseries({ queue: q.queue ?? null, from, to, stepSec: q.stepSec });
      return { stepSec: q.stepSec, points: points.map((p) => ({ ...p, t: p.t.toISOString() })) };
    },
  );
}

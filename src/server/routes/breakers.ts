import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import type { BreakerTarget } from '../../resilience/breaker-store.js';
import { ErrorReply, HttpError, notFound } from '../errors.js';
import { PageQuery, page, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';

const BreakerName = z
  .string()
  .regex(/^(queue|dependency):.{1,128}$/, 'must be queue:<name> or dependency:<name>')
  .describe('queue:<queue> or dependency:<name>');

function target(name: string): BreakerTarget {
  const i = name.indexOf(':');
  const kind = name.slice(0, i);
  const rest = name.slice(i + 1);
  if (kind === 'queue') return { queue: rest };
  if (kind === 'dependency') return { dependency: rest };
  throw new HttpError(400, 'invalid', 'name: must be queue:<name> or dependency:<name>', 'name');
}

/** A breaker's settings as replies show them (the queues list shows its queue's too). */
export const breakerSettingsFields = {
  failureRatio: z.number(),
  minCalls: z.number().int(),
  windowMs: z.number().int(),
  cooldownMs: z.number().int(),
  maxCooldownMs: z.number().int(),
  probes: z.number().int(),
  probeTimeoutMs: z.number().int(),
};

const Breaker = z
  .object({
    kind: z.enum(['queue', 'dependency']),
    name: z.string(),
    state: z.enum(['closed', 'open', 'half_open']),
    forced: z.enum(['open', 'closed']).nullable(),
    generation: z.number().int(),
    calls: z.number().int(),
    failures: z.number().int(),
    trips: z.number().int(),
    openUntil: z.string().nullable(),
    openRemainingMs: z.number().nullable(),
    probesTaken: z.number().int(),
    probesOk: z.number().int(),
    changedAt: z.string(),
    reason: z.string().nullable(),
    ...breakerSettingsFields,
  })
  .meta({ id: 'Breaker' });

const HistoryEntry = z
  .object({
    id: z.string(),
    kind: z.enum(['queue', 'dependency']),
    name: z.string(),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    calls: z.number().int(),
    failures: z.number().int(),
    cooldownMs: z.number().int().nullable(),
    actor: z.string(),
    at: z.string(),
  })
  .meta({ id: 'BreakerHistoryEntry' });

const Settings = z
  .strictObject({
    failureRatio: z.number().gt(0).max(1).optional(),
    minCalls: z.number().int().min(1).max(1_000_000).optional(),
    windowMs: z.number().int().min(1_000).max(2_147_483_647).optional(),
    cooldownMs: z.number().int().min(100).max(2_147_483_647).optional(),
    maxCooldownMs: z.number().int().min(100).max(2_147_483_647).optional(),
    probes: z.number().int().min(1).max(1_000).optional(),
    probeTimeoutMs: z.number().int().min(100).max(2_147_483_647).optional(),
  })
  .meta({ id: 'BreakerSettings' });

const Params = z.strictObject({ name: BreakerName });

export async function breakersRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;

  app.get(
    '/api/breakers',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['breakers'],
        summary: 'Circuit breakers',
        querystring: z.strictObject(PageQuery),
        response: { 200: page(Breaker, 'BreakerPage'), 400: ErrorReply },
      },
    },
    async (request) => wire(await rota.admin.breakerPage(request.query)),
  );

  app.get(
    '/api/breakers/:name/history',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['breakers'],
        summary: "A breaker's state changes and operator actions, newest first",
        params: Params,
        querystring: z.strictObject(PageQuery),
        response: { 200: page(HistoryEntry, 'BreakerHistoryPage'), 400: ErrorReply },
      },
    },
    async (request) => wire(await rota.admin.breakerHistory(target(request.params.name), request.query)),
  );

  for (const action of ['open', 'close', 'reset'] as const) {
    app.post(
      `/api/breakers/:name/${action}`,
      {
        config: { access: 'operator' },
        schema: {
          tags: ['breakers'],
          summary: { open: 'Force open until reset', close: 'Force closed until reset', reset: 'Back to automatic (closed)' }[action],
          params: Params,
          body: z.strictObject({ reason: z.string().max(1000).optional() }).nullish(),
          response: { 200: Breaker, 400: ErrorReply },
        },
      },
      async (request) => {
        const t = target(request.params.name);
        const status = await rota.breakers[action](t, { reason: request.body?.reason ?? `${action} by ${request.auth.name} (API)` });
        await deps.audited(request, { action: `breaker.${action}`, target: request.params.name, count: 1 });
        return wire(status);
      },
    );
  }

  app.patch(
    '/api/breakers/:name',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['breakers'],
        summary: 'Configure a breaker',
        params: Params,
        body: Settings,
        response: { 200: Breaker, 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => {
      const t = target(request.params.name);
      const status = await rota.breakers.configure(t, request.body).catch((err: unknown) => {
        // The library names `settings.cooldownMs`; over HTTP the settings are the body itself.
        if (err instanceof ValidationError && err.field.startsWith('settings.')) {
          throw new HttpError(400, 'invalid', err.message.replace(/^settings\./, ''), err.field.slice('settings.'.length));
        }
        throw err;
      });
      if (!status) throw notFound(`breaker ${request.params.name}`);
      await deps.audited(request, { action: 'breaker.configure', target: request.params.name, filter: request.body, count: 1 });
      return wire(status);
    },
  );
}

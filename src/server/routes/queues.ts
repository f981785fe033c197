import { z } from 'zod';
import { ErrorReply, notFound } from '../errors.js';
import { Name, PageQuery, page, RateLimitSchema, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';
import { breakerSettingsFields } from './breakers.js';

const Rate = z.object({ limit: z.number().int(), periodMs: z.number().int(), burst: z.number().int() }).nullable();

const Queue = z
  .object({
    queue: z.string(),
    concurrency: z.number().int().nullable(),
    tenantConcurrency: z.number().int().nullable(),
    rate: Rate,
    tenantRate: Rate,
    agingMs: z.number().int().nullable(),
    retry: z
      .object({
        maxAttempts: z.number().int().nullable(),
        baseMs: z.number().int().nullable(),
        maxMs: z.number().int().nullable(),
        jitter: z.number().nullable(),
      })
      .describe(
        "the queue's stored retry policy; a null part is not set, so the workers' code applies (work()'s retry option, rota's defaultMaxAttempts)",
      ),
    configuredAt: z.string().nullable(),
    paused: z.boolean(),
    heldUntil: z.string().nullable(),
    waiting: z.number().int().describe('available and scheduled jobs (from the claim counters)'),
    running: z.number().int(),
    oldestReadyAgeMs: z.number().nullable(),
    finishedPerSec: z.number().nullable().describe("attempts finished per second, from the live workers' last heartbeats"),
    breaker: z
      .object({
        state: z.string(),
        forced: z.string().nullable(),
        ...breakerSettingsFields,
      })
      .nullable()
      .describe("the queue's circuit breaker with its settings (PATCH /api/breakers/queue:<name>); null: none configured"),
  })
  .meta({ id: 'Queue' });

const Tenant = z
  .object({
    tenant: z.string(),
    weight: z.number().int(),
    concurrency: z.number().int().nullable(),
    rate: Rate,
    tokens: z.number().nullable(),
    heldUntil: z.string().nullable(),
    configuredAt: z.string().nullable(),
    backlog: z.number().int().describe('jobs waiting, due or delayed (from the claim counters)'),
    running: z.number().int(),
    completedInWindow: z
      .number()
      .int()
      .nullable()
      .describe(
        'jobs of this tenant completed in the window, from the per-minute rollups. Each rollup row (queue, minute, worker process) ' +
          'lists its top-N tenants (monitor.topTenants) and sums the rest as "other": this is the sum over the rows that listed ' +
          'the tenant; 0 when no row listed it and no row summed any tenant into "other"; null when the tenant was not among the ' +
          'top-N of any row of the window while some row summed tenants into "other" (unknown, not zero). Rollups are written ' +
          'with each worker heartbeat, so the last seconds may be missing',
      ),
    completedExact: z
      .boolean()
      .describe(
        'true when every rollup row of the window that summed tenants into "other" listed this tenant: completedInWindow is exact, else a lower bound',
      ),
    share: z
      .number()
      .nullable()
      .describe(
        "completedInWindow / the queue's completed jobs in the window (0..1); null when completedInWindow is null or the queue completed none",
      ),
    fairShare: z
      .number()
      .nullable()
      .describe(
        "weight / the sum of the weights of the queue's tenants with a backlog now (all of them, not only this page): the share " +
          'the weighted round robin gives it while those tenants stay backlogged and no limit binds; null when it has no backlog',
      ),
  })
  .meta({ id: 'Tenant' });

/** The windows of the tenants' throughput share, in minutes (bounded: a day at most). */
const TENANT_WINDOWS = { '5m': 5, '15m': 15, '1h': 60, '6h': 360 } as const;

const QueueSettings = z
  .strictObject({
    concurrency: z.number().int().min(0).max(1_000_000).nullable().optional(),
    tenantConcurrency: z.number().int().min(0).max(1_000_000).nullable().optional(),
    rate: RateLimitSchema.nullable().optional(),
    tenantRate: RateLimitSchema.nullable().optional(),
    agingMs: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
    retry: z
      .strictObject({
        maxAttempts: z
          .number()
          .int()
          .min(1)
          .max(1_000)
          .nullable()
          .optional()
          .describe('for jobs enqueued afterwards without their own maxAttempts'),
        baseMs: z.number().int().min(0).max(2_147_483_647).nullable().optional().describe('delay before the second attempt'),
        maxMs: z
          .number()
          .int()
          .min(0)
          .max(2_147_483_647)
          .nullable()
          .optional()
          .describe('cap of any delay (baseMs = maxMs: a fixed delay)'),
        jitter: z.number().min(0).max(1).nullable().optional().describe('fraction of the delay drawn at random'),
      })
      .meta({ id: 'QueueRetrySettings' })
      .nullable()
      .optional()
      .describe(
        'stored retry policy, part by part over the code (omitted parts unchanged, null unsets one; retry: null unsets all). ' +
          'Workers pick a backoff change up within one heartbeat (leaseMs / 3)',
      ),
  })
  .meta({ id: 'QueueSettings' });

const TenantSettings = z
  .strictObject({
    weight: z.number().int().min(1).max(10_000).optional(),
    concurrency: z.number().int().min(0).max(1_000_000).nullable().optional(),
    rate: RateLimitSchema.nullable().optional(),
  })
  .meta({ id: 'TenantSettings' });

const QueueParams = z.strictObject({ queue: Name });

export async function queuesRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;
  const queues = rota.admin.queues;

  const withBreakers = async <T extends { queue: string }>(list: T[]) => {
    const breakers = await rota.breakers.list();
    const byQueue = new Map(
      breakers
        .filter((b) => b.kind === 'queue')
        .map((b) => [
          b.name,
          {
            state: b.state,
            forced: b.forced,
            failureRatio: b.failureRatio,
            minCalls: b.minCalls,
            windowMs: b.windowMs,
            cooldownMs: b.cooldownMs,
            maxCooldownMs: b.maxCooldownMs,
            probes: b.probes,
            probeTimeoutMs: b.probeTimeoutMs,
          },
        ]),
    );
    return list.map((q) => ({ ...q, breaker: byQueue.get(q.queue) ?? null }));
  };

  app.get(
    '/api/queues',
    {
      config: { access: 'viewer', tenantAware: true },
      schema: {
        tags: ['queues'],
        summary: 'Queues with counts (from the claim counters), oldest due job, throughput, settings, pause and breaker',
        querystring: z.strictObject(PageQuery),
        response: { 200: page(Queue, 'QueuePage'), 400: ErrorReply },
      },
    },
    async (request) => {
      const p = await queues.page({ scopeTenant: request.auth.tenant, ...request.query });
      return { items: wire(await withBreakers(p.items)), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/api/queues/:queue',
    {
      config: { access: 'viewer', tenantAware: true },
      schema: { tags: ['queues'], summary: 'One queue', params: QueueParams, response: { 200: Queue, 404: ErrorReply } },
    },
    async (request) => {
      const q = await queues.get(request.params.queue, request.auth.tenant);
      if (!q) throw notFound(`queue ${request.params.queue}`);
      return wire((await withBreakers([q]))[0]);
    },
  );

  app.patch(
    '/api/queues/:queue',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['queues'],
        summary: 'Configure a queue (omitted keys unchanged, null removes a limit); cluster-wide',
        params: QueueParams,
        body: QueueSettings,
        response: { 200: Queue, 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => {
      await rota.queue(request.params.queue).configure(request.body, { create: true });
      await deps.audited(request, { action: 'queue.configure', target: request.params.queue, filter: request.body, count: 1 });
      const q = await queues.get(request.params.queue);
      if (!q) throw notFound(`queue ${request.params.queue}`);
      return wire((await withBreakers([q]))[0]);
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/queues/:queue/${action}`,
      {
        config: { access: 'operator' },
        schema: {
          tags: ['queues'],
          summary:
            action === 'pause'
              ? 'Pause a queue in every process (claims take nothing; settings untouched)'
              : 'Resume a paused queue (workers are woken at once)',
          params: QueueParams,
          response: { 200: Queue, 404: ErrorReply },
        },
      },
      async (request) => {
        if (!(await queues.setPaused(request.params.queue, action === 'pause'))) throw notFound(`queue ${request.params.queue}`);
        await deps.audited(request, { action: `queue.${action}`, target: request.params.queue, count: 1 });
        const q = await queues.get(request.params.queue);
        return wire((await withBreakers([q as NonNullable<typeof q>]))[0]);
      },
    );
  }

  app.get(
    '/api/queues/:queue/tenants',
    {
      config: { access: 'viewer', tenantAware: true },
      schema: {
        tags: ['queues'],
        summary:
          "A queue's tenants: backlog, running, limits, weight, rate-limit state, share of the completed jobs in a window against the fair share; sorted and paginated",
        params: QueueParams,
        querystring: z.strictObject({
          sort: z
            .enum(['backlog', 'running', 'completed', 'name'])
            .default('backlog')
            .describe('completed: completedInWindow (unknown last)'),
          order: z.enum(['asc', 'desc']).optional().describe('default desc for backlog/running, asc for name'),
          search: z.string().min(1).max(128).optional().describe('tenant name prefix'),
          window: z
            .enum(['5m', '15m', '1h', '6h'])
            .default('15m')
            .describe(
              'window of completedInWindow and share: the current minute and the 5, 15, 60 or 360 whole minutes before it (at most 6 h: the cost grows with the rollup rows read)',
            ),
          ...PageQuery,
        }),
        response: { 200: page(Tenant, 'TenantPage'), 400: ErrorReply },
      },
    },
    async (request) => {
      const { window, ...query } = request.query;
      return wire(
        await queues.tenants(request.params.queue, {
          ...query,
          windowMinutes: TENANT_WINDOWS[window],
          scopeTenant: request.auth.tenant,
        }),
      );
    },
  );

  app.patch(
    '/api/queues/:queue/tenants/:tenant',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['queues'],
        summary: 'Configure a tenant in a queue (weight, concurrency, rate)',
        params: z.strictObject({ queue: Name, tenant: Name }),
        body: TenantSettings,
        response: {
          200: z.object({ tenant: z.string(), weight: z.number().int(), concurrency: z.number().int().nullable(), rate: Rate }),
          400: ErrorReply,
          404: ErrorReply,
        },
      },
    },
    async (request) => {
      const { queue, tenant } = request.params;
      const info = await rota.tenant(queue, tenant).configure(request.body);
      await deps.audited(request, { action: 'tenant.configure', target: `${queue}/${tenant}`, filter: request.body, count: 1 });
      return { tenant: info.tenant, weight: info.weight, concurrency: info.concurrency, rate: info.rate };
    },
  );
}

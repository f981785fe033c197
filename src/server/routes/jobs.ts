import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { JobFilter } from '../../admin/filter.js';
import { ErrorReply, HttpError, notFound } from '../errors.js';
import { Count, JobId, JobStateName, JsonValue, Name, PageQuery, PriorityName, page, Time, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';

const States = z.union([JobStateName, z.array(JobStateName).min(1).max(6)]).describe('one state, or several');

const PayloadFragment = z.record(z.string(), JsonValue).describe('a JSON object the payload must contain (payload @> fragment)');

/** The filter in a query string: state as a comma-separated list, payload as JSON text. */
const FilterQuery = {
  queue: Name.optional(),
  tenant: Name.optional(),
  state: z
    .string()
    .max(100)
    .transform((s) => s.split(','))
    .pipe(z.array(JobStateName))
    .optional()
    .describe('state, or several comma-separated: available, scheduled, running, completed, dead, cancelled'),
  priority: PriorityName.optional(),
  from: Time.optional().describe('live jobs created at or after, finished jobs finished at or after'),
  to: Time.optional().describe('live jobs created before, finished jobs finished before'),
  payload: z
    .string()
    .max(10_000)
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(PayloadFragment)
    .optional()
    .describe('JSON object the payload must contain, e.g. {"order":{"id":7}}; searched in bounded scans (see docs)'),
};

const FilterBody = z
  .strictObject({
    queue: Name.optional(),
    tenant: Name.optional(),
    state: States.optional(),
    priority: PriorityName.optional(),
    from: Time.optional(),
    to: Time.optional(),
    payload: PayloadFragment.optional(),
  })
  .meta({ id: 'JobFilter' });

const JobSummary = z
  .object({
    id: JobId,
    queue: z.string(),
    tenant: z.string(),
    priority: PriorityName,
    state: JobStateName,
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    runAt: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    lockedBy: z.string().nullable().describe('worker running it'),
  })
  .meta({ id: 'JobSummary' });

const JobErrorSchema = z.object({
  attempt: z.number().int().optional(),
  at: z.string().optional(),
  name: z.string().optional(),
  message: z.string(),
  stack: z.string().optional(),
});

const JobDetail = JobSummary.extend({
  payload: JsonValue,
  result: JsonValue.nullable(),
  errors: z.array(JobErrorSchema),
  dedupKey: z.string().nullable(),
  timeoutMs: z.number().int().nullable(),
  cancelRequestedAt: z.string().nullable(),
  attempts: z.array(
    z.object({
      attempt: z.number().int(),
      worker: z.string().nullable(),
      startedAt: z.string().nullable(),
      endedAt: z.string(),
      outcome: z.string(),
      error: JobErrorSchema.nullable(),
    }),
  ),
  logs: z.array(z.object({ at: z.string(), level: z.string(), msg: z.string(), data: JsonValue.optional() })),
  progress: JsonValue.nullable(),
}).meta({ id: 'JobDetail' });

const EnqueueBody = z
  .strictObject({
    queue: Name,
    payload: JsonValue,
    tenant: Name.optional(),
    priority: PriorityName.optional(),
    delayMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    runAt: Time.optional(),
    dedupKey: z.string().min(1).max(1000).optional(),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    timeoutMs: z.number().int().min(1).max(2_147_483_647).optional(),
  })
  .meta({ id: 'EnqueueRequest' });

const EnqueueItem = EnqueueBody.omit({ queue: true });
const EnqueueResult = z.object({ id: JobId, deduplicated: z.boolean() }).meta({ id: 'EnqueueResult' });
const IdParams = z.strictObject({ id: JobId });
const BulkBody = z.strictObject({ filter: FilterBody, dryRun: z.boolean().optional() }).meta({ id: 'BulkRequest' });

function toFilter(f: {
  queue?: string;
  tenant?: string;
  state?: z.infer<typeof JobStateName> | z.infer<typeof JobStateName>[];
  priority?: z.infer<typeof PriorityName>;
  from?: string;
  to?: string;
  payload?: Record<string, unknown>;
}): JobFilter {
  return {
    queue: f.queue,
    tenant: f.tenant,
    state: f.state,
    priority: f.priority,
    from: f.from ? new Date(f.from) : undefined,
    to: f.to ? new Date(f.to) : undefined,
    payload: f.payload as JobFilter['payload'],
  };
}

/** The tenant a job is enqueued for: a tenant-scoped token may only enqueue for its own. */
function enqueueTenant(request: FastifyRequest, tenant: string | undefined, field: string): string | undefined {
  const scope = request.auth.tenant;
  if (scope === null) return tenant;
  if (tenant !== undefined && tenant !== scope)
    throw new HttpError(403, 'forbidden', `${field}: this token may only act on tenant ${JSON.stringify(scope)}`, field);
  return scope;
}

const read = { access: 'viewer', tenantAware: true } as const;
const write = { access: 'operator', tenantAware: true } as const;

export async function jobsRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;
  const jobs = rota.admin.jobs;

  app.get(
    '/api/jobs',
    {
      config: read,
      schema: {
        tags: ['jobs'],
        summary: 'List and search jobs: live first (newest first), then finished (newest finished first)',
        querystring: z.strictObject({ ...FilterQuery, ...PageQuery }),
        response: { 200: page(JobSummary, 'JobPage'), 400: ErrorReply },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return wire(await jobs.list(toFilter(filter), { limit, cursor, scopeTenant: request.auth.tenant }));
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      config: read,
      schema: {
        tags: ['jobs'],
        summary: 'One job: payload, result, attempts, errors, logs, progress',
        params: IdParams,
        response: { 200: JobDetail, 404: ErrorReply },
      },
    },
    async (request) => {
      const job = await jobs.get(request.params.id, request.auth.tenant);
      if (!job) throw notFound(`job ${request.params.id}`);
      return wire(job);
    },
  );

  app.post(
    '/api/jobs',
    {
      config: write,
      schema: {
        tags: ['jobs'],
        summary: 'Enqueue one job',
        body: EnqueueBody,
        response: { 201: EnqueueResult, 400: ErrorReply, 403: ErrorReply },
      },
    },
    async (request, reply) => {
      const { queue, payload, runAt, ...opts } = request.body;
      const tenant = enqueueTenant(request, opts.tenant, 'tenant');
      const r = await rota.enqueue(queue, payload, { ...opts, tenant, runAt: runAt ? new Date(runAt) : undefined });
      await deps.audited(request, { action: 'job.enqueue', target: r.id, count: r.deduplicated ? 0 : 1 });
      return reply.status(201).send(r);
    },
  );

  app.post(
    '/api/jobs/batch',
    {
      config: write,
      schema: {
        tags: ['jobs'],
        summary: 'Enqueue many jobs of one queue (all or nothing)',
        body: z.strictObject({ queue: Name, items: z.array(EnqueueItem).min(1).max(10_000) }),
        response: { 201: z.object({ items: z.array(EnqueueResult) }), 400: ErrorReply, 403: ErrorReply },
      },
    },
    async (request, reply) => {
      const items = request.body.items.map((it, i) => ({
        ...it,
        tenant: enqueueTenant(request, it.tenant, `items.${i}.tenant`),
        runAt: it.runAt ? new Date(it.runAt) : undefined,
      }));
      const results = await rota.enqueueMany(request.body.queue, items);
      await deps.audited(request, {
        action: 'job.enqueue_batch',
        target: request.body.queue,
        count: results.filter((r) => !r.deduplicated).length,
      });
      return reply.status(201).send({ items: results });
    },
  );

  const one = (action: 'retry' | 'cancel', summary: string) =>
    app.post(
      `/api/jobs/:id/${action}`,
      {
        config: write,
        schema: {
          tags: ['jobs'],
          summary,
          params: IdParams,
          response: { 200: z.object({ id: JobId, state: JobStateName, cancelRequested: z.boolean() }), 404: ErrorReply, 409: ErrorReply },
        },
      },
      async (request) => {
        const { id } = request.params;
        const scope = request.auth.tenant;
        const before = await jobs.get(id, scope);
        if (!before) throw notFound(`job ${id}`);
        let changed: number;
        let requested = false;
        if (action === 'retry') changed = await jobs.retry([id], scope);
        else {
          const c = await jobs.cancel([id], scope);
          changed = c.cancelled + c.requested;
          requested = c.requested > 0;
        }
        if (changed === 0)
          throw new HttpError(
            409,
            'conflict',
            action === 'retry'
              ? `job ${id} is ${before.state}: only dead or cancelled jobs can be retried (or its dedup key is live again)`
              : `job ${id} is ${before.state}: only waiting or running jobs can be cancelled`,
          );
        await deps.audited(request, { action: `job.${action}`, target: id, count: 1 });
        const after = await jobs.get(id, scope);
        return { id, state: after?.state ?? before.state, cancelRequested: requested };
      },
    );
  one('retry', 'Retry a dead or cancelled job now, with fresh attempts');
  one('cancel', 'Cancel a waiting job, or stop a running one (its ctx.signal aborts; it ends cancelled)');

  app.delete(
    '/api/jobs/:id',
    {
      config: write,
      schema: {
        tags: ['jobs'],
        summary: 'Delete a job (live or finished) and its logs',
        params: IdParams,
        response: { 200: Count, 404: ErrorReply },
      },
    },
    async (request) => {
      const n = await jobs.delete([request.params.id], request.auth.tenant);
      if (n === 0) throw notFound(`job ${request.params.id}`);
      await deps.audited(request, { action: 'job.delete', target: request.params.id, count: n });
      return { count: n };
    },
  );

  for (const action of ['retry', 'cancel', 'delete'] as const) {
    app.post(
      `/api/jobs/bulk/${action}`,
      {
        config: write,
        schema: {
          tags: ['jobs'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} every job matching a filter (dryRun: only count them)`,
          body: BulkBody,
          response: {
            200: z.object({ count: z.number().int(), requested: z.number().int().optional(), dryRun: z.boolean() }),
            400: ErrorReply,
          },
        },
      },
      async (request) => {
        const { filter, dryRun = false } = request.body;
        const r = await jobs.bulk(action, toFilter(filter), { dryRun, scopeTenant: request.auth.tenant });
        if (!dryRun) await deps.audited(request, { action: `job.bulk_${action}`, filter, count: r.count + (r.requested ?? 0) });
        return { ...r, dryRun };
      },
    );
  }
}

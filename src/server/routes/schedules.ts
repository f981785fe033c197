import { z } from 'zod';
import type { ScheduleInfo, ScheduleOptions } from '../../scheduler/types.js';
import { ErrorReply, notFound } from '../errors.js';
import { JsonValue, Name, PageQuery, PriorityName, page, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';

const Missed = z.union([z.literal('skip'), z.strictObject({ catchUp: z.number().int().min(1).max(1000) })]);

const Schedule = z
  .object({
    name: z.string(),
    cron: z.string(),
    timeZone: z.string(),
    queue: z.string(),
    payload: JsonValue,
    tenant: z.string(),
    priority: PriorityName,
    enabled: z.boolean(),
    onMissed: z.union([z.literal('skip'), z.object({ catchUp: z.number().int() })]),
    graceMs: z.number().int(),
    jitterMs: z.number().int(),
    maxAttempts: z.number().int().nullable(),
    timeoutMs: z.number().int().nullable(),
    nextRunAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Schedule' });

const Cycle = z
  .object({
    schedule: z.string(),
    tickAt: z.string(),
    source: z.enum(['cron', 'manual']),
    status: z.enum(['enqueued', 'caught_up', 'missed']),
    recordedAt: z.string(),
    jobId: z.string().nullable(),
    outcome: z.enum(['completed', 'dead', 'cancelled', 'unknown']).nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
  })
  .meta({ id: 'ScheduleCycle' });

const Status = z
  .object({
    name: z.string(),
    nextRunAt: z.string().nullable(),
    lastRun: Cycle.nullable(),
    lastMissedAt: z.string().nullable(),
    missedTotal: z.number().int(),
    successRate: z.number().nullable(),
    meanDurationMs: z.number().nullable(),
    p95DurationMs: z.number().nullable(),
  })
  .meta({ id: 'ScheduleStatus' });

const Options = {
  timeZone: z.string().min(1).max(64).optional(),
  tenant: Name.optional(),
  priority: PriorityName.optional(),
  enabled: z.boolean().optional(),
  onMissed: Missed.optional(),
  graceMs: z.number().int().min(1).max(86_400_000).optional(),
  jitterMs: z.number().int().min(0).max(86_400_000).optional(),
  maxAttempts: z.number().int().min(1).max(1000).nullable().optional(),
  timeoutMs: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
};

const CreateBody = z
  .strictObject({ name: Name, cron: z.string().min(1).max(200), queue: Name, payload: JsonValue, ...Options })
  .meta({ id: 'CreateSchedule' });
const UpdateBody = z
  .strictObject({ cron: z.string().min(1).max(200).optional(), queue: Name.optional(), payload: JsonValue.optional(), ...Options })
  .meta({ id: 'UpdateSchedule' });
const NameParams = z.strictObject({ name: Name });

const SchedulerState = z
  .object({
    paused: z.boolean(),
    changedAt: z.string().nullable(),
    schedules: z.number().int(),
    enabled: z.number().int(),
    lagMs: z.number().describe('how late the most overdue enabled schedule is'),
    lastEvaluationAt: z.string().nullable(),
    evaluators: z
      .array(z.object({ workerId: z.string(), lastClaimAt: z.string(), claimed: z.number().int() }))
      .describe('processes that claimed schedules to evaluate (rota.workerId), most recent first, at most 20'),
  })
  .meta({ id: 'SchedulerState' });

function options(o: Partial<z.infer<typeof UpdateBody>>, base?: ScheduleInfo): ScheduleOptions {
  const pick = <K extends keyof ScheduleOptions>(k: K, fallback: ScheduleOptions[K]) =>
    (o as ScheduleOptions)[k] !== undefined ? (o as ScheduleOptions)[k] : fallback;
  return {
    timeZone: pick('timeZone', base?.timeZone),
    tenant: pick('tenant', base?.tenant),
    priority: pick('priority', base?.priority),
    enabled: pick('enabled', base?.enabled),
    onMissed: pick('onMissed', base?.onMissed),
    graceMs: pick('graceMs', base?.graceMs),
    jitterMs: pick('jitterMs', base?.jitterMs),
    maxAttempts: (o.maxAttempts === null ? undefined : (o.maxAttempts ?? base?.maxAttempts ?? undefined)) as number | undefined,
    timeoutMs: (o.timeoutMs === null ? undefined : (o.timeoutMs ?? base?.timeoutMs ?? undefined)) as number | undefined,
  };
}

export async function schedulesRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const { rota } = deps;
  const find = async (name: string) => (await rota.schedules()).find((s) => s.name === name) ?? null;

  app.get(
    '/api/schedules',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['schedules'],
        summary: 'Schedules with their status (last and next run, success rate, durations, missed ticks)',
        querystring: z.strictObject(PageQuery),
        response: { 200: page(Schedule.extend({ status: Status.nullable() }), 'SchedulePage'), 400: ErrorReply },
      },
    },
    async (request) => {
      const list = await rota.admin.schedulePage(request.query);
      const status = list.items.length > 0 ? await rota.scheduleStatus({ names: list.items.map((s) => s.name) }) : [];
      const byName = new Map(status.map((s) => [s.name, s]));
      return wire({ items: list.items.map((s) => ({ ...s, status: byName.get(s.name) ?? null })), nextCursor: list.nextCursor });
    },
  );

  app.post(
    '/api/schedules',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['schedules'],
        summary: 'Create or replace a schedule',
        body: CreateBody,
        response: { 201: Schedule, 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const { name, cron, queue, payload, ...o } = request.body;
      const s = await rota.schedule(name, cron, queue, payload, options(o));
      await deps.audited(request, { action: 'schedule.create', target: name, count: 1 });
      return reply.status(201).send(wire(s));
    },
  );

  app.patch(
    '/api/schedules/:name',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['schedules'],
        summary: 'Change some of a schedule’s fields',
        params: NameParams,
        body: UpdateBody,
        response: { 200: Schedule, 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => {
      const base = await find(request.params.name);
      if (!base) throw notFound(`schedule ${request.params.name}`);
      const { cron, queue, payload, ...o } = request.body;
      const s = await rota.schedule(base.name, cron ?? base.cron, queue ?? base.queue, payload ?? base.payload, options(o, base));
      await deps.audited(request, { action: 'schedule.update', target: base.name, filter: request.body, count: 1 });
      return wire(s);
    },
  );

  app.delete(
    '/api/schedules/:name',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['schedules'],
        summary: 'Delete a schedule and its history',
        params: NameParams,
        response: { 200: z.object({ count: z.number().int() }), 404: ErrorReply },
      },
    },
    async (request) => {
      if (!(await rota.unschedule(request.params.name))) throw notFound(`schedule ${request.params.name}`);
      await deps.audited(request, { action: 'schedule.delete', target: request.params.name, count: 1 });
      return { count: 1 };
    },
  );

  app.post(
    '/api/schedules/:name/trigger',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['schedules'],
        summary: 'Run a schedule now (a manual cycle; its next tick is unchanged)',
        params: NameParams,
        response: { 200: z.object({ schedule: z.string(), jobId: z.string(), tickAt: z.string() }), 404: ErrorReply },
      },
    },
    async (request) => {
      if (!(await find(request.params.name))) throw notFound(`schedule ${request.params.name}`);
      const r = await rota.trigger(request.params.name);
      await deps.audited(request, { action: 'schedule.trigger', target: request.params.name, count: 1 });
      return wire(r);
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    app.post(
      `/api/schedules/:name/${action}`,
      {
        config: { access: 'operator' },
        schema: {
          tags: ['schedules'],
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} a schedule`,
          params: NameParams,
          response: { 200: Schedule, 404: ErrorReply },
        },
      },
      async (request) => {
        if (!(await rota.setScheduleEnabled(request.params.name, action === 'enable'))) throw notFound(`schedule ${request.params.name}`);
        await deps.audited(request, { action: `schedule.${action}`, target: request.params.name, count: 1 });
        const s = await find(request.params.name);
        if (!s) throw notFound(`schedule ${request.params.name}`);
        return wire(s);
      },
    );
  }

  app.get(
    '/api/schedules/:name/cycles',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['schedules'],
        summary: "A schedule's cycles, newest first",
        params: NameParams,
        querystring: z.strictObject(PageQuery),
        response: { 200: page(Cycle, 'CyclePage'), 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request) => {
      if (!(await find(request.params.name))) throw notFound(`schedule ${request.params.name}`);
      return wire(await rota.admin.scheduling.cycles({ schedule: request.params.name, ...request.query }));
    },
  );

  app.get(
    '/api/scheduler',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['schedules'],
        summary: 'The schedulers: paused, lag, last evaluation, the processes evaluating',
        response: { 200: SchedulerState },
      },
    },
    async () => wire(await rota.admin.scheduling.state()),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/scheduler/${action}`,
      {
        config: { access: 'operator' },
        schema: {
          tags: ['schedules'],
          summary: `${action === 'pause' ? 'Pause' : 'Resume'} every scheduler process at once`,
          response: { 200: SchedulerState },
        },
      },
      async (request) => {
        const state = await rota.admin.scheduling.setPaused(action === 'pause', request.auth.name);
        await deps.audited(request, { action: `scheduler.${action}`, count: 1 });
        return wire(state);
      },
    );
  }
}

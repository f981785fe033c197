import { z } from 'zod';
import type { Alert } from '../../monitor/alerts/types.js';
import { ErrorReply, HttpError } from '../errors.js';
import type { RouteDeps, ZodApp } from '../types.js';

const severity = z.enum(['info', 'warning', 'critical']);
const alertSchema = z.object({
  id: z.string().nullable(),
  type: z.string(),
  severity,
  subject: z.string(),
  state: z.enum(['active', 'resolved']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
});
const ruleSchema = z.object({
  rule: z.string(),
  description: z.string(),
  scope: z.enum(['cluster', 'process']),
  enabled: z.boolean(),
  thresholds: z.record(z.string(), z.number()),
  defaults: z.record(z.string(), z.number()),
});
const webhookSchema = z.object({ id: z.string(), url: z.string(), minSeverity: severity, enabled: z.boolean(), createdAt: z.string() });

function json(a: Alert): z.infer<typeof alertSchema> {
  return {
    ...a,
    firstSeen: a.firstSeen.toISOString(),
    lastSeen: a.lastSeen.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
  };
}

/** Alerts (active and history), their rules and webhooks. */
export async function alertsRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const alerts = deps.rota.alerts;
  const by = (request: { auth: { name: string } }) => request.auth.name;

  app.get(
    '/api/alerts',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['alerts'],
        querystring: z.object({
          state: z.enum(['active', 'resolved']).optional(),
          type: z.string().min(1).max(200).optional(),
          cursor: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }), 400: ErrorReply },
      },
    },
    async (request) => {
      const page = await alerts.list(request.query);
      return { items: page.items.map(json), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/alerts/:id/resolve',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        params: z.object({ id: z.string().regex(/^[0-9]{1,19}$/) }),
        response: { 200: alertSchema, 404: ErrorReply },
      },
    },
    async (request) => {
      const a = await alerts.resolve(request.params.id, by(request));
      if (!a) throw new HttpError(404, 'not_found', `no active alert ${request.params.id}`);
      await deps.audited(request, { action: 'alert.resolve', target: a.id });
      return json(a);
    },
  );

  app.post(
    '/api/alerts/resolve',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        body: z.object({ type: z.string().min(1).max(200) }),
        response: { 200: z.object({ count: z.number() }) },
      },
    },
    async (request) => {
      const count = await alerts.resolveType(request.body.type, by(request));
      await deps.audited(request, { action: 'alert.resolve', target: request.body.type, count });
      return { count };
    },
  );

  app.delete(
    '/api/alerts',
    {
      config: { access: 'operator' },
      schema: { tags: ['alerts'], description: 'Deletes resolved alerts (history)', response: { 200: z.object({ count: z.number() }) } },
    },
    async (request) => {
      const count = await alerts.clear();
      await deps.audited(request, { action: 'alert.clear', count });
      return { count };
    },
  );

  app.get(
    '/api/alert-rules',
    { config: { access: 'viewer' }, schema: { tags: ['alerts'], response: { 200: z.object({ items: z.array(ruleSchema) }) } } },
    async () => ({ items: await alerts.rules() }),
  );

  app.patch(
    '/api/alert-rules/:rule',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['alerts'],
        params: z.object({ rule: z.string().min(1).max(100) }),
        body: z.object({ enabled: z.boolean().optional(), thresholds: z.record(z.string(), z.number()).optional() }),
        response: { 200: ruleSchema, 400: ErrorReply },
      },
    },
    async (request) => {
      const r = await alerts.configure(request.params.rule, request.body);
      await deps.audited(request, { action: 'alert-rule.configure', target: r.rule, filter: request.body });
      return r;
    },
  );

  app.get(
    '/api/alert-webhooks',
    { config: { access: 'admin' }, schema: { tags: ['alerts'], response: { 200: z.object({ items: z.array(webhookSchema) }) } } },
    async () => ({ items: (await alerts.webhooks()).map((w) => ({ ...w, createdAt: w.createdAt.toISOString() })) }),
  );

  app.post(
    '/api/alert-webhooks',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['alerts'],
        body: z.object({ url: z.string().max(2000), secret: z.string().min(16).max(500), minSeverity: severity.optional() }),
        response: { 201: webhookSchema, 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const w = await alerts.addWebhook(request.body);
      await deps.audited(request, { action: 'alert-webhook.add', target: w.id });
      return reply.code(201).send({ ...w, createdAt: w.createdAt.toISOString() });
    },
  );

  app.delete(
    '/api/alert-webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['alerts'],
        params: z.object({ id: z.string().regex(/^[0-9]{1,19}$/) }),
        response: { 204: z.null(), 404: ErrorReply },
      },
    },
    async (request, reply) => {
      if (!(await alerts.removeWebhook(request.params.id))) throw new HttpError(404, 'not_found', `no webhook ${request.params.id}`);
      await deps.audited(request, { action: 'alert-webhook.remove', target: request.params.id });
      return reply.code(204).send(null);
    },
  );
}

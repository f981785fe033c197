import { z } from 'zod';
import { ErrorReply, notFound } from '../errors.js';
import { JsonValue, Name, PageQuery, page, Time, wire } from '../schemas.js';
import type { RouteDeps, ZodApp } from '../types.js';

const Role = z.enum(['admin', 'operator', 'viewer']);

const Token = z
  .object({
    id: z.string(),
    name: z.string(),
    role: Role,
    tenant: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'Token' });

const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    tenant: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    filter: JsonValue.nullable(),
    count: z.number().int().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export async function tokensRoutes(app: ZodApp, deps: RouteDeps): Promise<void> {
  const admin = { access: 'admin' } as const;

  app.get(
    '/api/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'API tokens (never their secrets)',
        querystring: z.strictObject({ all: z.enum(['true', 'false']).optional().describe('include revoked tokens'), ...PageQuery }),
        response: { 200: page(Token, 'TokenPage'), 400: ErrorReply },
      },
    },
    async (request) =>
      wire(
        await deps.tokens.page({ includeRevoked: request.query.all === 'true', limit: request.query.limit, cursor: request.query.cursor }),
      ),
  );

  app.post(
    '/api/tokens',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Create a token; the secret is in this reply only',
        body: z.strictObject({
          name: Name,
          role: Role,
          tenant: Name.optional().describe('scope the token to one tenant'),
          expiresAt: Time.optional(),
        }),
        response: { 201: z.object({ token: Token, secret: z.string() }), 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const { name, role, tenant, expiresAt } = request.body;
      const expiresInMs = expiresAt ? Math.max(1, Math.round(new Date(expiresAt).getTime() - Date.now())) : undefined;
      const created = await deps.tokens.create({ name, role, tenant, expiresInMs });
      await deps.audited(request, { action: 'token.create', target: created.token.name, count: 1 });
      return reply.status(201).send(wire(created));
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token (by id or name)',
        params: z.strictObject({ id: Name }),
        response: { 200: Token, 404: ErrorReply },
      },
    },
    async (request) => {
      const revoked = await deps.tokens.revoke(request.params.id);
      if (!revoked) throw notFound(`live token ${request.params.id}`);
      await deps.audited(request, { action: 'token.revoke', target: revoked.name, count: 1 });
      return wire(revoked);
    },
  );

  app.get(
    '/api/audit',
    {
      config: admin,
      schema: {
        tags: ['tokens'],
        summary: 'Audit log of API writes, newest first',
        querystring: z.strictObject({ action: z.string().max(100).optional(), ...PageQuery }),
        response: { 200: page(AuditEntry, 'AuditPage'), 400: ErrorReply },
      },
    },
    async (request) => wire(await deps.audit.list(request.query)),
  );
}

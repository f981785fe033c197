import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AuditLog } from '../admin/audit.js';
import type { TokenStore } from '../admin/tokens.js';
import { defaultLogger, type Logger } from '../logger.js';
import type { Rota } from '../rota.js';
import { authHook } from './auth.js';
import { errorHandler, HttpError } from './errors.js';
import { registerRoutes } from './routes/index.js';
import type { RouteDeps, ZodApp } from './types.js';

export interface ServerOptions {
  rota: Rota;
  /** Where tokens are verified (default: `rota.tokens`, the schema's api_tokens table). */
  tokens?: TokenStore;
  /** Largest request body in bytes (default 1 MiB); a larger one is 413. */
  bodyLimit?: number;
  logger?: Logger;
  /** The dashboard's static bundle, served at / when the folder exists (default web/dist). */
  webRoot?: string | null;
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Marks every route registered in this scope as public (the docs UI and the static bundle carry no data). */
function publicScope(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), access: 'public' };
  });
}

/**
 * The management server: every route is a plugin in routes/<resource>.ts, validated and
 * documented by its zod schemas (OpenAPI 3.1 at /openapi.json, Swagger UI at /docs), and
 * guarded by the auth hook through its `config.access`. Not listening yet: call
 * `listen()` (or `inject()` in tests).
 */
export async function buildServer(opts: ServerOptions): Promise<ZodApp> {
  const { rota } = opts;
  const log = opts.logger ?? defaultLogger().child({ part: 'server' });
  const tokens = opts.tokens ?? rota.tokens;
  const audit = new AuditLog(rota.pool, rota.schema);
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  // JSON only: a text/plain body is 415, not a string that zod then rejects.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.decorateRequest('auth', null as never);
  // Each route's access in the OpenAPI document (x-access, x-tenant-aware), so clients and
  // tests can see who may call what.
  app.addHook('onRoute', (route) => {
    const config = route.config as { access?: string; tenantAware?: boolean } | undefined;
    if (!route.schema || !config?.access) return;
    route.schema = { ...route.schema, 'x-access': config.access, 'x-tenant-aware': Boolean(config.tenantAware) } as typeof route.schema;
  });
  app.addHook('onRequest', authHook(tokens));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'rota management API',
        description: 'Jobs, queues, tenants, schedules, workers, connections and breakers of a rota cluster.',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(async (scope) => {
    publicScope(scope);
    await scope.register(fastifySwaggerUi, { routePrefix: '/docs' });
  });
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const deps: RouteDeps = {
    rota,
    tokens,
    audit,
    log,
    audited: (request, e) =>
      audit.record({
        actor: request.auth.name,
        tenant: request.auth.tenant,
        action: e.action,
        target: e.target,
        filter: e.filter,
        count: e.count,
      }),
  };
  await app.register(async (scope) => registerRoutes(scope as unknown as ZodApp, deps), { prefix: '' });

  const webRoot = opts.webRoot === undefined ? DEFAULT_WEB_ROOT : opts.webRoot;
  if (webRoot && existsSync(webRoot)) {
    await app.register(async (scope) => {
      publicScope(scope);
      await scope.register(fastifyStatic, { root: webRoot, prefix: '/', decorateReply: false, wildcard: false });
    });
  }
  return app as unknown as ZodApp;
}

export { HttpError };

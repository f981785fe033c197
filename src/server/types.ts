import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AuditLog } from '../admin/audit.js';
import type { Principal, Role, TokenStore } from '../admin/tokens.js';
import type { Logger } from '../logger.js';
import type { Rota } from '../rota.js';

/** What a route needs: 'public' (no token), or the least role that may call it. */
export type Access = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every rota route declares it; the auth hook (auth.ts) enforces it. */
    access?: Access;
    /**
     * The route filters by `request.auth.tenant` (another tenant's object is 404, lists
     * leave it out). Only such routes accept tenant-scoped tokens; others answer 403.
     */
    tenantAware?: boolean;
  }
  interface FastifyRequest {
    /** Who is calling (set by the auth hook; anonymous on public routes). */
    auth: Principal;
  }
}

/** The Fastify instance routes are registered on: zod schemas for validation, serialisation and OpenAPI. */
export type ZodApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** What every route plugin gets: `export async function <resource>Routes(app: ZodApp, deps: RouteDeps)`. */
export interface RouteDeps {
  rota: Rota;
  tokens: TokenStore;
  audit: AuditLog;
  log: Logger;
  /** Records a write in the audit log as the calling principal. */
  audited(
    request: FastifyRequest,
    entry: { action: string; target?: string | null; filter?: unknown; count?: number | null },
  ): Promise<void>;
}

export type { FastifyReply, FastifyRequest, Principal };

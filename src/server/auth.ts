import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Principal, roleAllows, type TokenStore } from '../admin/tokens.js';
import { HttpError } from './errors.js';

const LOCAL: Principal = { name: 'local', role: 'admin', tenant: null };
const ANONYMOUS: Principal = { name: 'anonymous', role: 'viewer', tenant: null };

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new HttpError(401, 'unauthorized', 'authorization: expected "Bearer <token>"', 'authorization');
  return m[1] as string;
}

/**
 * The onRequest hook that enforces each route's `config.access`:
 * - 'public': anyone (a valid token, when presented, still identifies the caller);
 * - a role: a live bearer token whose role includes it (admin ⊃ operator ⊃ viewer).
 *   While no live token exists at all, callers on the loopback interface act as the
 *   local admin (a fresh install is usable from the machine itself and from nowhere else).
 * Routes that do not declare `access` need an admin (deny by default). Tenant-scoped
 * tokens reach only routes that filter by `request.auth.tenant` (`config.tenantAware`);
 * elsewhere they get 403.
 */
export function authHook(tokens: TokenStore) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    // Unknown paths answer 404 to anyone: it tells nothing a route list does not.
    if (request.is404) return;
    const config = request.routeOptions.config;
    const access = config?.access ?? 'admin';
    const secret = bearer(request);
    if (access === 'public') {
      request.auth = (secret ? await tokens.verify(secret) : null) ?? ANONYMOUS;
      return;
    }
    let principal: Principal | null;
    if (secret) {
      principal = await tokens.verify(secret);
      if (!principal) throw new HttpError(401, 'unauthorized', 'the token is unknown, revoked or expired', 'authorization');
    } else if (!(await tokens.anyActive()) && isLoopback(request.socket.remoteAddress)) {
      principal = LOCAL;
    } else {
      throw new HttpError(401, 'unauthorized', 'a bearer token is required (Authorization: Bearer <token>)', 'authorization');
    }
    if (!roleAllows(principal.role, access))
      throw new HttpError(403, 'forbidden', `this needs the ${access} role; token ${JSON.stringify(principal.name)} is ${principal.role}`);
    if (principal.tenant !== null && !config?.tenantAware)
      throw new HttpError(403, 'forbidden', `token ${JSON.stringify(principal.name)} is scoped to one tenant; this route is not`);
    request.auth = principal;
  };
}

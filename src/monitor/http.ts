import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ValidationError } from '../errors.js';
import type { Rota } from '../rota.js';

/**
 * What the monitoring routes need from the management server. Until the server's own
 * RouteDeps/ZodApp exist these stand in for them (same shapes as the team contract).
 */
export type MonitorApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface MonitorRouteDeps {
  rota: Rota;
}

/** Monitoring reads the whole cluster: a tenant-scoped token gets 403 (set by the server's auth hook). */
export function refuseTenantTokens(request: FastifyRequest, reply: FastifyReply): boolean {
  const auth = (request as FastifyRequest & { auth?: { tenant: string | null } }).auth;
  if (auth?.tenant) {
    void reply.code(403).send({ error: 'forbidden', message: 'tenant-scoped tokens cannot read cluster-wide monitoring' });
    return true;
  }
  return false;
}

/** ValidationError from the library as the contract's 400 body. */
export async function withValidation<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ValidationError) {
      void reply.code(400).send({ error: 'validation', field: err.field, message: err.message });
      return undefined;
    }
    throw err;
  }
}

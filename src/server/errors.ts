import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DatabaseUnavailableError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Every error reply: a code, the offending field when there is one, and a sentence. */
export const ErrorReply = z
  .object({
    error: z.string().describe('machine-readable code, e.g. invalid, not_found, unauthorized, forbidden'),
    field: z
      .string()
      .optional()
      .describe('the request field at fault: a body path (items.3.queue), a query or path parameter, or body / content-type'),
    message: z.string(),
  })
  .meta({ id: 'Error' });
export type ErrorReply = z.infer<typeof ErrorReply>;

/** Thrown by route handlers for a 4xx reply. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);

const CONTEXT: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

function zodField(context: string, issue: { instancePath: string; keyword: string; params: Record<string, unknown> }): string {
  const path = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys) && issue.params.keys.length > 0)
    path.push(String(issue.params.keys[0]));
  return path.length > 0 ? path.join('.') : (CONTEXT[context] ?? context);
}

/** The 4xx/503 reply for a known kind of failure, or null for a bug (answered 500). */
function toReply(err: FastifyError): { status: number; body: ErrorReply } | null {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const context = err.validationContext ?? 'body';
    const field = first ? zodField(context, first) : (CONTEXT[context] ?? context);
    const message = first?.keyword === 'unrecognized_keys' ? `${field}: unknown field` : `${field}: ${first?.message ?? 'invalid'}`;
    return { status: 400, body: { error: 'invalid', field, message } };
  }
  if (err instanceof HttpError) return { status: err.status, body: { error: err.code, field: err.field, message: err.message } };
  if (err instanceof ValidationError) return { status: 400, body: { error: 'invalid', field: err.field, message: err.message } };
  if (err instanceof DatabaseUnavailableError) return { status: 503, body: { error: 'unavailable', message: err.message } };
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'invalid_json', field: 'body', message: `body: ${err.message}` } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: 'too_large', field: 'body', message: err.message } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', field: 'content-type', message: err.message } };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, body: { error: 'bad_request', message: err.message } };
  return null;
}

/** Maps whatever a request threw to `{ error, field, message }` with a 4xx status, or a logged 500. */
export function errorHandler(log: Logger) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const known = toReply(err);
    if (known) {
      void reply.status(known.status).send(known.body);
      return;
    }
    log.error({ err: String(err), stack: err.stack, url: request.url, method: request.method }, 'request failed');
    void reply.status(500).send({ error: 'internal', message: 'internal error (logged by the server)' });
  };
}

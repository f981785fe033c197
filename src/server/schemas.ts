import { z } from 'zod';
import { PAGE_DEFAULT, PAGE_MAX } from '../admin/page.js';
import type { Json } from '../types.js';

/** Shared zod schemas of the REST API (each becomes a named component of the OpenAPI document). */

export const Time = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
export const Name = z.string().min(1).max(128);
export const JobId = z.string().regex(/^[1-9]\d{0,18}$/, 'must be a positive integer id');
export const PriorityName = z.enum(['urgent', 'high', 'normal', 'low']);
export const JobStateName = z.enum(['available', 'scheduled', 'running', 'completed', 'dead', 'cancelled']);
/**
 * Any JSON value (payloads, results). Not z.json(): its recursive schema came out of the
 * OpenAPI document as references that do not resolve, which broke generated clients.
 * Request bodies are parsed JSON already, so nothing is lost by not re-checking them.
 */
export const JsonValue = z.unknown().meta({ id: 'JsonValue', description: 'any JSON value' });

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(PAGE_DEFAULT).describe(`page size (1..${PAGE_MAX})`),
  cursor: z.string().min(1).max(1000).optional().describe('nextCursor of the previous page'),
};

export function page<T extends z.ZodType>(item: T, id: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });
}

export const Count = z.object({ count: z.number().int() }).meta({ id: 'Count' });
export const Ok = z.object({ ok: z.boolean() }).meta({ id: 'Ok' });

export const RateLimitSchema = z.strictObject({
  limit: z.number().int().min(1).max(1_000_000),
  periodMs: z.number().int().min(1).max(2_147_483_647),
  burst: z.number().int().min(1).max(1_000_000).optional(),
});

/** A value as its JSON reply holds it: Dates become ISO strings; unknown (payloads, results) is JSON. */
export type Wire<T> = unknown extends T
  ? Json
  : T extends Date
    ? string
    : T extends Array<infer U>
      ? Wire<U>[]
      : T extends object
        ? { [K in keyof T]: Wire<T[K]> }
        : T;

/** Dates → ISO strings (and nothing else changes), typed so the reply schema checks the result. */
export function wire<T>(value: T): Wire<T> {
  return JSON.parse(JSON.stringify(value)) as Wire<T>;
}

import { ValidationError } from '../errors.js';

/** One page of a keyset-paginated list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const PAGE_MAX = 500;
export const PAGE_DEFAULT = 50;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX)
    throw new ValidationError('limit', `must be an integer from 1 to ${PAGE_MAX} (got ${String(limit)})`);
  return limit;
}

/** An opaque cursor: the base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key of a cursor, checked by `valid`; a malformed cursor is a ValidationError on `cursor`. */
export function decodeCursor<T>(cursor: string, valid: (v: unknown) => v is T): T;
export function decodeCursor(cursor: string, valid: (v: unknown) => boolean): unknown;
export function decodeCursor(cursor: string, valid: (v: unknown) => boolean): unknown {
  let value: unknown;
  try {
    if (cursor.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor', 'is not a cursor from a previous page');
  }
  if (!valid(value)) throw new ValidationError('cursor', 'is not a cursor from a previous page');
  return value;
}

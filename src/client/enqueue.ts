import { ValidationError } from '../errors.js';
import type { EnqueueItem, EnqueueResult, Queryable } from '../types.js';
import { nonNegativeNumber, positiveInt, priorityRank, serializePayload, validateName } from './validate.js';

export interface EnqueueConfig {
  maxPayloadBytes: number;
  defaultMaxAttempts: number;
}

/** One validated row, its payload already serialised. */
interface Row {
  tenant: string;
  dedupKey: string | null;
  json: string;
}

/** Rows per INSERT statement, and a byte budget per statement for large payloads. */
const CHUNK_ROWS = 5_000;
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Longest delay: the resulting run_at must stay inside PostgreSQL's timestamp range (an error there is not a ValidationError). */
const MAX_DELAY_MS = 100 * 366 * 86_400_000;

/** What an item may hold; anything else (a misspelt `priorty`) is an error, not silently ignored. */
const ITEM_KEYS = ['payload', 'tenant', 'priority', 'runAt', 'delayMs', 'dedupKey', 'maxAttempts', 'timeoutMs'] as const;

function checkItemKeys(f: string, item: object, what: string): void {
  for (const key of Object.keys(item)) {
    if ((ITEM_KEYS as readonly string[]).includes(key)) continue;
    const near = closest(key, ITEM_KEYS);
    throw new ValidationError(
      `${f}${key}`,
      `is not ${what}${near ? ` (did you mean ${near}?)` : ''}; expected ${(f ? [...ITEM_KEYS] : [...ITEM_KEYS.slice(1), 'client']).join(', ')}`,
    );
  }
}

/** The known key within two edits of `key`, if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++)
        cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length] as number;
  };
  return known.find((k) => dist(key.toLowerCase(), k.toLowerCase()) <= 2);
}

/**
 * Validates every item before anything is sent: one bad item rejects the whole call
 * with a ValidationError naming it (`items[3].tenant`) and nothing is written.
 */
export function buildRows(queue: string, items: readonly EnqueueItem[], cfg: EnqueueConfig, fieldPrefix: (i: number) => string): Row[] {
  validateName('queue', queue);
  return items.map((item, i) => {
    const f = fieldPrefix(i);
    if (item === null || typeof item !== 'object') throw new ValidationError(f ? f.slice(0, -1) : 'item', 'must be an object');
    checkItemKeys(f, item, f ? 'an enqueueMany item field' : 'an enqueue option');
    const tenant = item.tenant === undefined ? 'default' : validateName(`${f}tenant`, item.tenant);
    const priority = priorityRank(`${f}priority`, item.priority);
    const payload = serializePayload(`${f}payload`, item.payload, cfg.maxPayloadBytes);
    let runAt: string | null = null;
    if (item.runAt !== undefined) {
      if (!(item.runAt instanceof Date) || Number.isNaN(item.runAt.getTime())) {
        throw new ValidationError(`${f}runAt`, 'must be a valid Date');
      }
      // toISOString() writes other years as ±YYYYYY, which PostgreSQL does not parse.
      const year = item.runAt.getUTCFullYear();
      if (year < 1 || year > 9999) throw new ValidationError(`${f}runAt`, `must be between the years 1 and 9999 (got ${year})`);
      runAt = item.runAt.toISOString();
    }
    let delayMs: number | null = null;
    if (item.delayMs !== undefined) {
      if (runAt !== null) throw new ValidationError(`${f}delayMs`, 'cannot be combined with runAt');
      delayMs = nonNegativeNumber(`${f}delayMs`, item.delayMs);
      if (delayMs > MAX_DELAY_MS) throw new ValidationError(`${f}delayMs`, `must be at most ${MAX_DELAY_MS} (100 years; got ${delayMs})`);
    }
    // Unset: enqueue.sql takes the queue's stored retry.maxAttempts, else cfg.defaultMaxAttempts.
    const maxAttempts = item.maxAttempts === undefined ? null : positiveInt(`${f}maxAttempts`, item.maxAttempts, { max: 1000 });
    const timeoutMs = item.timeoutMs === undefined ? null : positiveInt(`${f}timeoutMs`, item.timeoutMs);
    const dedupKey = item.dedupKey === undefined ? null : validateName(`${f}dedupKey`, item.dedupKey);
    // Built by hand so the payload is serialised once, not re-escaped inside a string.
    const json = `{"t":${JSON.stringify(tenant)},"p":${priority},"d":${payload},"r":${runAt === null ? 'null' : `"${runAt}"`},"m":${delayMs ?? 'null'},"a":${maxAttempts},"o":${timeoutMs ?? 'null'},"k":${dedupKey === null ? 'null' : JSON.stringify(dedupKey)}}`;
    return { tenant, dedupKey, json };
  });
}

function chunks(rows: Row[]): Row[][] {
  const out: Row[][] = [];
  let cur: Row[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (cur.length > 0 && (cur.length >= CHUNK_ROWS || bytes + r.json.length > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += r.json.length;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * True when `insertRows` writes these rows with one statement, which is atomic by itself.
 * Otherwise (several chunks by count or bytes, or dedup keys that may need a second
 * round) the caller wraps the call in a transaction so enqueueMany stays all or nothing.
 */
export function isSingleStatement(rows: Row[]): boolean {
  return chunks(rows).length === 1 && rows.every((r) => r.dedupKey === null);
}

const keyOf = (tenant: string, dedupKey: string) => `${tenant}\u0000${dedupKey}`;

/**
 * Inserts rows of one queue through `db` (which the caller has put in a transaction
 * when there is more than one chunk). Rows whose dedup key is live come back as
 * `deduplicated` with the existing job's id. With `statementName`, the insert is a named
 * (prepared) statement on `db`'s connection: parsed and planned once per connection, not
 * per call (40 % of a one-job enqueue's backend CPU, ~0.25 ms of enqueue-to-start:
 * docs/performance.md, sixth pass). Only for rota's own connections: a name lives on its
 * connection for the connection's life, which a caller's client (or a pooler in front of
 * it) may not expect.
 */
export async function insertRows(
  db: Queryable,
  sql: { enqueue: string; findDedup: string },
  queue: string,
  rows: Row[],
  defaultMaxAttempts: number,
  statementName?: string,
): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = new Array(rows.length);
  let offset = 0;
  for (const chunk of chunks(rows)) {
    let pending = chunk.map((row, i) => ({ row, index: offset + i }));
    // A skipped key's job can finish between the insert and the look-up; then the key
    // is free again and the row is inserted on the next round.
    for (let round = 0; pending.length > 0; round++) {
      if (round > 5) throw new Error('enqueue: dedup keys kept changing hands; giving up');
      const values = [queue, `[${pending.map((p) => p.row.json).join(',')}]`, defaultMaxAttempts];
      const res = await db.query<{ id: string; tenant: string; dedup_key: string | null }>(
        statementName === undefined ? { text: sql.enqueue, values } : { name: statementName, text: sql.enqueue, values },
      );
      const returned = res.rows;
      let r = 0;
      const skipped: typeof pending = [];
      for (const p of pending) {
        const got = returned[r];
        if (got && got.tenant === p.row.tenant && got.dedup_key === p.row.dedupKey) {
          results[p.index] = { id: got.id, deduplicated: false };
          r++;
        } else if (p.row.dedupKey !== null) {
          skipped.push(p);
        } else {
          throw new Error('enqueue: inserted rows came back out of order');
        }
      }
      if (skipped.length === 0) break;
      const found = await db.query<{ id: string; tenant: string; dedup_key: string }>(sql.findDedup, [
        queue,
        skipped.map((p) => p.row.tenant),
        skipped.map((p) => p.row.dedupKey),
      ]);
      const live = new Map(found.rows.map((f) => [keyOf(f.tenant, f.dedup_key), f.id]));
      pending = [];
      for (const p of skipped) {
        const id = live.get(keyOf(p.row.tenant, p.row.dedupKey as string));
        if (id !== undefined) results[p.index] = { id, deduplicated: true };
        else pending.push(p);
      }
    }
    offset += chunk.length;
  }
  return results;
}

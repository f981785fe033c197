import type pg from 'pg';
import { validateName } from '../client/validate.js';
import { type BreakerHistoryEntry, type BreakerTarget, type HistoryRow, toHistoryEntry } from '../resilience/breaker-store.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

const isIdCursor = (v: unknown): v is string => typeof v === 'string' && /^\d{1,19}$/.test(v);

/** Breaker history, keyset-paginated (rota.breakers.history has a limit only). */
export async function breakerHistoryPage(
  pool: pg.Pool,
  sql: Record<AdminQuery, string>,
  target: BreakerTarget | null,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<Page<BreakerHistoryEntry>> {
  const limit = pageLimit(opts.limit);
  const before = opts.cursor ? decodeCursor(opts.cursor, isIdCursor) : null;
  const kind = target ? ('queue' in target ? 'queue' : 'dependency') : null;
  const name = target ? validateName('name', 'queue' in target ? target.queue : target.dependency) : null;
  const res = await pool.query<HistoryRow>(sql.breaker_history, [kind, name, before, limit + 1]);
  const rows = res.rows.slice(0, limit);
  return {
    items: rows.map(toHistoryEntry),
    nextCursor: res.rows.length > limit ? encodeCursor(rows.at(-1)?.id) : null,
  };
}

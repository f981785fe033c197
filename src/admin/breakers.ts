import type pg from 'pg';
import { validateName } from '../client/validate.js';
import type { BreakerHistoryEntry, BreakerKind, BreakerTarget } from '../resilience/breaker-store.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

interface HistoryRow {
  id: string;
  kind: BreakerKind;
  name: string;
  from_state: BreakerHistoryEntry['from'];
  to_state: BreakerHistoryEntry['to'];
  reason: string;
  calls: number;
  failures: number;
  cooldown_ms: number | null;
  actor: string;
  at: Date;
}

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
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      name: r.name,
      from: r.from_state,
      to: r.to_state,
      reason: r.reason,
      calls: r.calls,
      failures: r.failures,
      cooldownMs: r.cooldown_ms,
      actor: r.actor,
      at: r.at,
    })),
    nextCursor: res.rows.length > limit ? encodeCursor(rows.at(-1)?.id) : null,
  };
}

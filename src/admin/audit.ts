import type pg from 'pg';
import { withSchema } from '../db/sql.js';
import type { Queryable } from '../types.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';

/** One write through the management API. */
export interface AuditEntry {
  id: string;
  at: Date;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  filter: unknown;
  count: number | null;
}

export interface AuditRecord {
  actor: string;
  tenant: string | null;
  action: string;
  target?: string | null;
  filter?: unknown;
  count?: number | null;
}

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  filter: unknown;
  count: number | null;
}

/** The audit trail of API writes: appended by the server, listed newest first by admins. */
export class AuditLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  async record(e: AuditRecord, db: Queryable = this.pool): Promise<void> {
    await db.query(
      withSchema(
        'INSERT INTO {{schema}}.audit_log (actor, tenant, action, target, filter, count) VALUES ($1, $2, $3, $4, $5, $6)',
        this.schema,
      ),
      [e.actor, e.tenant, e.action, e.target ?? null, e.filter === undefined ? null : JSON.stringify(e.filter), e.count ?? null],
    );
  }

  /** Newest first, keyset-paginated by id. */
  async list(opts: { limit?: number; cursor?: string | null; action?: string } = {}): Promise<Page<AuditEntry>> {
    const limit = pageLimit(opts.limit);
    const after = opts.cursor ? decodeCursor(opts.cursor, (v) => typeof v === 'string' && /^\d+$/.test(v)) : null;
    const res = await this.pool.query<AuditRow>(
      withSchema(
        `SELECT id, at, actor, tenant, action, target, filter, count FROM {{schema}}.audit_log
          WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR action = $2)
          ORDER BY id DESC LIMIT $3`,
        this.schema,
      ),
      [after, opts.action ?? null, limit + 1],
    );
    const rows = res.rows.slice(0, limit);
    const items = rows.map((r) => ({ ...r }));
    const last = rows.at(-1);
    return { items, nextCursor: res.rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  /** Deletes entries older than `olderThanMs`; returns how many. */
  async prune(olderThanMs: number): Promise<number> {
    const res = await this.pool.query(
      withSchema("DELETE FROM {{schema}}.audit_log WHERE at < now() - $1 * interval '1 millisecond'", this.schema),
      [olderThanMs],
    );
    return res.rowCount ?? 0;
  }
}

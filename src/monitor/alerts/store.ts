import type pg from 'pg';
import { withSchema } from '../../db/sql.js';
import { ValidationError } from '../../errors.js';
import type { Finding } from './rules.js';
import type { Alert, AlertQuery, AlertSeverity, Webhook } from './types.js';

interface AlertRow {
  id: string;
  type: string;
  severity: AlertSeverity;
  subject: string;
  state: 'active' | 'resolved';
  message: string;
  details: Record<string, unknown>;
  first_seen: Date;
  last_seen: Date;
  count: number;
  resolved_at: Date | null;
  resolved_by: string | null;
}

const COLUMNS = 'id::text, type, severity, subject, state, message, details, first_seen, last_seen, count, resolved_at, resolved_by';

export function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    type: r.type,
    severity: r.severity,
    subject: r.subject,
    state: r.state,
    message: r.message,
    details: r.details,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    count: r.count,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
  };
}

function decodeCursor(cursor: string): bigint {
  const id = /^[0-9]{1,19}$/.test(cursor) ? BigInt(cursor) : null;
  if (id === null) throw new ValidationError('cursor', 'is not a cursor returned by a previous page');
  return id;
}

/** Alerts, rule settings, webhooks and the evaluator lease in the database. */
export class AlertStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  private s(text: string): string {
    return withSchema(text, this.schema);
  }

  /** Records a finding: a new active alert, or one more sighting of the active one (deduplicated by type and subject). */
  async upsert(f: Finding, seenAt?: Date): Promise<{ alert: Alert; created: boolean }> {
    const res = await this.pool.query<AlertRow & { created: boolean }>(
      this.s(`INSERT INTO {{schema}}.alerts AS a (type, severity, subject, message, details, first_seen, last_seen)
              VALUES ($1, $2, $3, $4, $5, coalesce($6, now()), now())
              ON CONFLICT (type, subject) WHERE state = 'active' DO UPDATE
                 SET severity = EXCLUDED.severity, message = EXCLUDED.message, details = EXCLUDED.details,
                     last_seen = now(), count = a.count + 1
              RETURNING ${COLUMNS}, (xmax = 0) AS created`),
      [f.type, f.severity, f.subject, f.message, JSON.stringify(f.details), seenAt ?? null],
    );
    const row = res.rows[0] as AlertRow & { created: boolean };
    return { alert: alertFromRow(row), created: row.created };
  }

  async active(types?: readonly string[]): Promise<Alert[]> {
    const res = await this.pool.query<AlertRow>(
      this.s(`SELECT ${COLUMNS} FROM {{schema}}.alerts WHERE state = 'active' AND ($1::text[] IS NULL OR type = ANY ($1)) ORDER BY id`),
      [types ?? null],
    );
    return res.rows.map(alertFromRow);
  }

  async resolveWhere(where: { id?: string; type?: string; subject?: string }, by: string): Promise<Alert[]> {
    const res = await this.pool.query<AlertRow>(
      this.s(`UPDATE {{schema}}.alerts SET state = 'resolved', resolved_at = now(), resolved_by = $4
               WHERE state = 'active' AND ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR type = $2)
                 AND ($3::text IS NULL OR subject = $3)
              RETURNING ${COLUMNS}`),
      [where.id ?? null, where.type ?? null, where.subject ?? null, by],
    );
    return res.rows.map(alertFromRow);
  }

  async get(id: string): Promise<Alert | null> {
    const res = await this.pool.query<AlertRow>(this.s(`SELECT ${COLUMNS} FROM {{schema}}.alerts WHERE id = $1`), [id]);
    return res.rows[0] ? alertFromRow(res.rows[0]) : null;
  }

  /** Newest first, keyset-paginated by id. */
  async list(q: AlertQuery): Promise<{ items: Alert[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ValidationError('limit', `must be an integer from 1 to 500 (got ${limit})`);
    if (q.state !== undefined && q.state !== 'active' && q.state !== 'resolved') {
      throw new ValidationError('state', `must be active or resolved (got ${JSON.stringify(q.state)})`);
    }
    const before = q.cursor ? decodeCursor(q.cursor) : null;
    const res = await this.pool.query<AlertRow>(
      this.s(`SELECT ${COLUMNS} FROM {{schema}}.alerts
               WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR type = $2) AND ($3::bigint IS NULL OR id < $3)
               ORDER BY id DESC LIMIT $4`),
      [q.state ?? null, q.type ?? null, before?.toString() ?? null, limit + 1],
    );
    const items = res.rows.slice(0, limit).map(alertFromRow);
    return { items, nextCursor: res.rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** Deletes resolved alerts (all, or those resolved before `before`). */
  async clearResolved(before?: Date): Promise<number> {
    const res = await this.pool.query(
      this.s(`DELETE FROM {{schema}}.alerts WHERE state = 'resolved' AND ($1::timestamptz IS NULL OR resolved_at < $1)`),
      [before ?? null],
    );
    return res.rowCount ?? 0;
  }

  async ruleSettings(): Promise<Map<string, { enabled: boolean; thresholds: Record<string, number> }>> {
    const res = await this.pool.query<{ rule: string; enabled: boolean; thresholds: Record<string, number> }>(
      this.s('SELECT rule, enabled, thresholds FROM {{schema}}.alert_rules'),
    );
    return new Map(res.rows.map((r) => [r.rule, { enabled: r.enabled, thresholds: r.thresholds }]));
  }

  /** Sets a rule's settings; thresholds are merged into the stored ones. */
  async configureRule(rule: string, enabled: boolean | undefined, thresholds: Record<string, number>): Promise<void> {
    await this.pool.query(
      this.s(`INSERT INTO {{schema}}.alert_rules AS r (rule, enabled, thresholds) VALUES ($1, coalesce($2, true), $3)
              ON CONFLICT (rule) DO UPDATE
                 SET enabled = coalesce($2, r.enabled), thresholds = r.thresholds || EXCLUDED.thresholds, updated_at = now()`),
      [rule, enabled ?? null, JSON.stringify(thresholds)],
    );
  }

  async resetRule(rule: string): Promise<void> {
    await this.pool.query(this.s('DELETE FROM {{schema}}.alert_rules WHERE rule = $1'), [rule]);
  }

  /** Takes or renews the lease `name` for `holder`; true when this holder has it now. */
  async takeLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const res = await this.pool.query(
      this.s(`INSERT INTO {{schema}}.monitor_leases AS l (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
              ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, renewed_at = now()
               WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
              RETURNING holder`),
      [name, holder, ttlMs],
    );
    return res.rowCount === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query(this.s('DELETE FROM {{schema}}.monitor_leases WHERE name = $1 AND holder = $2'), [name, holder]);
  }

  async leaseHolder(name: string): Promise<{ holder: string; expiresAt: Date } | null> {
    const res = await this.pool.query<{ holder: string; expires_at: Date }>(
      this.s('SELECT holder, expires_at FROM {{schema}}.monitor_leases WHERE name = $1 AND expires_at > now()'),
      [name],
    );
    const r = res.rows[0];
    return r ? { holder: r.holder, expiresAt: r.expires_at } : null;
  }

  async addWebhook(url: string, secret: string, minSeverity: AlertSeverity): Promise<Webhook> {
    const res = await this.pool.query(
      this.s(`INSERT INTO {{schema}}.alert_webhooks (url, secret, min_severity) VALUES ($1, $2, $3)
              RETURNING id::text, url, min_severity, enabled, created_at`),
      [url, secret, minSeverity],
    );
    return webhookFromRow(res.rows[0]);
  }

  async webhooks(): Promise<Webhook[]> {
    const res = await this.pool.query(
      this.s('SELECT id::text, url, min_severity, enabled, created_at FROM {{schema}}.alert_webhooks ORDER BY id'),
    );
    return res.rows.map(webhookFromRow);
  }

  async webhookSecret(id: string): Promise<{ url: string; secret: string } | null> {
    const res = await this.pool.query<{ url: string; secret: string }>(
      this.s('SELECT url, secret FROM {{schema}}.alert_webhooks WHERE id = $1 AND enabled'),
      [id],
    );
    return res.rows[0] ?? null;
  }

  async removeWebhook(id: string): Promise<boolean> {
    const res = await this.pool.query(this.s('DELETE FROM {{schema}}.alert_webhooks WHERE id = $1'), [id]);
    return (res.rowCount ?? 0) > 0;
  }
}

function webhookFromRow(r: { id: string; url: string; min_severity: AlertSeverity; enabled: boolean; created_at: Date }): Webhook {
  return { id: r.id, url: r.url, minSeverity: r.min_severity, enabled: r.enabled, createdAt: r.created_at };
}

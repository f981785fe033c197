import type pg from 'pg';
import { validateName } from '../client/validate.js';
import { withSchema } from '../db/sql.js';
import { ValidationError } from '../errors.js';
import { type QueueSettingsRow, queueSettingsOf, type RateLimit, storedRate } from '../fairness/settings.js';
import type { QueueRetry } from '../resilience/retry-settings.js';
import { decodeCursor, encodeCursor, type Page, pageLimit } from './page.js';
import type { AdminQuery } from './sql.js';

/** A queue as the operator sees it: settings, counts from the claim's counters, recent throughput. */
export interface QueueOverview {
  queue: string;
  concurrency: number | null;
  tenantConcurrency: number | null;
  rate: Required<RateLimit> | null;
  tenantRate: Required<RateLimit> | null;
  agingMs: number | null;
  /** The stored retry policy (null parts: the workers' code applies; src/resilience/retry-settings.ts). */
  retry: QueueRetry;
  configuredAt: Date | null;
  /** Paused cluster-wide (claims take nothing; settings untouched). */
  paused: boolean;
  /** Held by ctx.rateLimit(ms, { scope: 'queue' }) until then. */
  heldUntil: Date | null;
  /** Jobs waiting (due or delayed). */
  waiting: number;
  running: number;
  /** Age of the oldest due job (see queues.sql for how far it looks), null when none is due. */
  oldestReadyAgeMs: number | null;
  /** Attempts finished per second, as the live workers reported with their last heartbeat; null for a tenant-scoped caller. */
  finishedPerSec: number | null;
}

export interface TenantOverview {
  tenant: string;
  weight: number;
  concurrency: number | null;
  rate: Required<RateLimit> | null;
  /** Whole tokens left in the tenant's own bucket (null: no own rate limit). */
  tokens: number | null;
  heldUntil: Date | null;
  configuredAt: Date | null;
  backlog: number;
  running: number;
  /**
   * Jobs of this tenant completed in the window, summed over the rollup rows (one per
   * queue, minute and worker process) that listed it among their top-N tenants; 0 when
   * no row listed it and none summed tenants into "~other"; null when no row listed it
   * but some summed tenants into "~other" (its count, if any, is hidden there).
   */
  completedInWindow: number | null;
  /**
   * True when every rollup row of the window that summed tenants into "~other" listed
   * this tenant, so completedInWindow is its exact count; false: a lower bound.
   */
  completedExact: boolean;
  /** completedInWindow over the queue's completed jobs in the window; null when either is null or zero. */
  share: number | null;
  /**
   * weight / (sum of the weights of the queue's tenants with a backlog now): the share of
   * claims the weighted round robin gives it while they all stay backlogged and no limit
   * binds; null when this tenant has no backlog.
   */
  fairShare: number | null;
}

export type TenantSort = 'backlog' | 'running' | 'completed' | 'name';

/** The longest window of tenants(): 6 hours (the rollup rows read grow with it: minutes × worker processes). */
export const TENANT_WINDOW_MAX_MINUTES = 360;

interface QueueRow extends QueueSettingsRow {
  configured_at: Date | null;
  paused: boolean;
  held_until: Date | null;
  waiting: string;
  running: string;
  oldest_ready_at: Date | null;
  finished_per_sec: number | null;
}

interface TenantRow {
  tenant: string;
  weight: number;
  concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | null;
  rate_burst: number | null;
  held_until: Date | null;
  configured_at: Date | null;
  tokens: number | null;
  backlog: string;
  running: string;
  sort_value: string;
  completed_in_window: string | null;
  completed_exact: boolean;
  queue_completed: string;
  with_work: string;
}

function overview(r: QueueRow): QueueOverview {
  return {
    ...queueSettingsOf(r),
    configuredAt: r.configured_at,
    paused: r.paused === true,
    heldUntil: r.held_until,
    waiting: Math.max(0, Number(r.waiting)),
    running: Math.max(0, Number(r.running)),
    oldestReadyAgeMs: r.oldest_ready_at ? Math.max(0, Date.now() - r.oldest_ready_at.getTime()) : null,
    finishedPerSec: r.finished_per_sec === null ? null : Math.round(r.finished_per_sec * 10) / 10,
  };
}

const isQueueCursor = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1000;

function shares(r: TenantRow): Pick<TenantOverview, 'completedInWindow' | 'completedExact' | 'share' | 'fairShare'> {
  const completed = r.completed_in_window === null ? null : Number(r.completed_in_window);
  const total = Number(r.queue_completed);
  const withWork = Number(r.with_work);
  return {
    completedInWindow: completed,
    completedExact: completed !== null && r.completed_exact,
    share: completed === null || total <= 0 ? null : Math.min(1, completed / total),
    fairShare: Number(r.backlog) > 0 && withWork > 0 ? r.weight / withWork : null,
  };
}

const isTenantCursor = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && /^-?\d{1,19}$/.test(v[0]) && typeof v[1] === 'string';

/**
 * Queues and their tenants for operators. Pause is cluster-wide and leaves the settings
 * alone: it sets the queue's hold (queue_state.held_until, which every claim already
 * honours) to 'infinity', and resume clears it and wakes the workers, so a paused
 * queue is not a queue with concurrency 0 and resuming restores exactly what was set.
 */
export class QueuesAdmin {
  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    private readonly sql: Record<AdminQuery, string>,
  ) {}

  async list(scopeTenant: string | null = null): Promise<QueueOverview[]> {
    const res = await this.pool.query<QueueRow>(this.sql.queues, [scopeTenant, null, null, null]);
    return res.rows.map(overview);
  }

  /** One page of queues by name (keyset: `nextCursor` is null on the last page). */
  async page(opts: { scopeTenant?: string | null; limit?: number; cursor?: string | null } = {}): Promise<Page<QueueOverview>> {
    const limit = pageLimit(opts.limit);
    const after = opts.cursor ? decodeCursor(opts.cursor, isQueueCursor) : null;
    const res = await this.pool.query<QueueRow>(this.sql.queues, [opts.scopeTenant ?? null, null, after, limit + 1]);
    const rows = res.rows.slice(0, limit);
    const last = rows.at(-1);
    return { items: rows.map(overview), nextCursor: res.rows.length > limit && last ? encodeCursor(last.queue) : null };
  }

  /** One queue, or null when no job or setting ever named it. */
  async get(queue: string, scopeTenant: string | null = null): Promise<QueueOverview | null> {
    validateName('queue', queue);
    const res = await this.pool.query<QueueRow>(this.sql.queues, [scopeTenant, queue, null, null]);
    const r = res.rows[0];
    return r ? overview(r) : null;
  }

  /** Pauses (true) or resumes (false) a queue in every process. False when the queue is unknown. */
  async setPaused(queue: string, paused: boolean): Promise<boolean> {
    validateName('queue', queue);
    const res = await this.pool.query(
      withSchema(
        `WITH q AS (
           UPDATE {{schema}}.queue_state SET held_until = CASE WHEN $2 THEN 'infinity'::timestamptz END WHERE queue = $1 RETURNING queue)
         SELECT q.queue, CASE WHEN NOT $2 THEN pg_notify($3, q.queue) END FROM q`,
        this.schema,
      ),
      [queue, paused, `${this.schema}.jobs`],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async tenants(
    queue: string,
    opts: {
      sort?: TenantSort;
      order?: 'asc' | 'desc';
      search?: string;
      cursor?: string | null;
      limit?: number;
      scopeTenant?: string | null;
      /** The window of completedInWindow and share: the current minute and this many before it. Default 15. */
      windowMinutes?: number;
    } = {},
  ): Promise<Page<TenantOverview>> {
    validateName('queue', queue);
    const sort = opts.sort ?? 'backlog';
    if (!['backlog', 'running', 'completed', 'name'].includes(sort)) {
      throw new ValidationError('sort', 'must be backlog, running, completed or name');
    }
    const windowMinutes = opts.windowMinutes ?? 15;
    if (!Number.isInteger(windowMinutes) || windowMinutes < 1 || windowMinutes > TENANT_WINDOW_MAX_MINUTES) {
      throw new ValidationError('window', `must be a whole number of minutes from 1 to ${TENANT_WINDOW_MAX_MINUTES}`);
    }
    const order = opts.order ?? (sort === 'name' ? 'asc' : 'desc');
    if (order !== 'asc' && order !== 'desc') throw new ValidationError('order', 'must be asc or desc');
    if (opts.search !== undefined) validateName('search', opts.search);
    const limit = pageLimit(opts.limit);
    const after = opts.cursor ? decodeCursor(opts.cursor, isTenantCursor) : null;
    const res = await this.pool.query<TenantRow>(this.sql.tenants, [
      queue,
      sort,
      order === 'desc',
      opts.search ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit + 1,
      opts.scopeTenant ?? null,
      windowMinutes,
    ]);
    const rows = res.rows.slice(0, limit);
    const last = rows.at(-1);
    return {
      items: rows.map((r) => ({
        tenant: r.tenant,
        weight: r.weight,
        concurrency: r.concurrency,
        rate: storedRate(r.rate_limit, r.rate_period_ms, r.rate_burst),
        tokens: r.tokens === null ? null : Math.floor(r.tokens),
        heldUntil: r.held_until && r.held_until.getTime() > Date.now() ? r.held_until : null,
        configuredAt: r.configured_at,
        backlog: Math.max(0, Number(r.backlog)),
        running: Math.max(0, Number(r.running)),
        ...shares(r),
      })),
      nextCursor: res.rows.length > limit && last ? encodeCursor([last.sort_value, last.tenant]) : null,
    };
  }
}

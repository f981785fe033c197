/**
 * Queue and tenant settings: validation of what callers pass, and the types they get
 * back. Settings live in queue_state / tenant_state (0003_fairness.sql), so they hold
 * cluster-wide; the store (settings-store.ts) writes them.
 */
import { positiveInt, validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import { type QueueRetry, type QueueRetryRow, type QueueRetrySettings, retryColumns, retryOf } from '../resilience/retry-settings.js';

/**
 * A rate limit, enforced cluster-wide as a token bucket kept in the queue or tenant
 * row: `burst` tokens, refilled continuously at `limit` per `periodMs`; starting a job
 * takes one token when it is claimed. Over any window of T ms at most
 * burst + limit × T / periodMs jobs start, and a backlog drains at exactly the limit.
 * The default burst is one second's worth (at least 1), so 450 per minute starts about
 * 7.5 jobs a second rather than 450 at once.
 */
export interface RateLimit {
  /** Jobs per period. */
  limit: number;
  periodMs: number;
  /** Most jobs that may start at once after a quiet spell. Default: one second's worth (at least 1). */
  burst?: number;
}

/** `rota.queue(name).configure(...)`. Omitted keys are left as they are; null removes a limit. */
export interface QueueSettings {
  /** Most jobs of the queue running at once across every process. 0 pauses the queue. */
  concurrency?: number | null;
  /** Most jobs of one tenant running at once, for tenants without their own limit. */
  tenantConcurrency?: number | null;
  /** Jobs of the whole queue started per period, cluster-wide (token bucket). */
  rate?: RateLimit | null;
  /** Default rate for each tenant without its own. */
  tenantRate?: RateLimit | null;
  /**
   * Starvation guard for lower tiers: a tenant's jobs of one priority that have not
   * been served for agingMs compete one tier higher (and one more after each further
   * agingMs) until served.
   */
  agingMs?: number | null;
  /**
   * The queue's retry policy, over the code's (src/resilience/retry-settings.ts):
   * maxAttempts for jobs enqueued afterwards without their own, and the backoff
   * (baseMs, maxMs, jitter) workers use after a failed attempt. null unsets all of it.
   */
  retry?: QueueRetrySettings | null;
}

/** `rota.tenant(queue, id).configure(...)`. Omitted keys are left as they are; null removes an override. */
export interface TenantSettings {
  /** Turns per round relative to other tenants of the queue (1 to 10,000; default 1). */
  weight?: number;
  /** Most jobs of this tenant running at once (overrides the queue's tenantConcurrency). 0 pauses the tenant. */
  concurrency?: number | null;
  /** Jobs of this tenant started per period (overrides the queue's tenantRate). */
  rate?: RateLimit | null;
}

export interface QueueInfo {
  queue: string;
  concurrency: number | null;
  tenantConcurrency: number | null;
  rate: Required<RateLimit> | null;
  tenantRate: Required<RateLimit> | null;
  agingMs: number | null;
  /** The stored retry policy (null parts: the code's value applies). */
  retry: QueueRetry;
  /** Jobs claimed and not finished. */
  running: number;
  /** Jobs waiting, due or delayed. */
  ready: number;
  /** Set by ctx.rateLimit(ms, { scope: 'queue' }). */
  heldUntil: Date | null;
  configuredAt: Date | null;
  /** Tenants with work or settings, busiest first (at most `limit`). */
  tenants: TenantInfo[];
}

export interface TenantInfo {
  queue: string;
  tenant: string;
  weight: number;
  /** The tenant's own limit (null: the queue's tenantConcurrency applies). */
  concurrency: number | null;
  rate: Required<RateLimit> | null;
  running: number;
  ready: number;
  heldUntil: Date | null;
  configuredAt: Date | null;
}

const MAX_LIMIT = 1_000_000;
const MAX_PERIOD_MS = 2_147_483_647;

function checkKeys(field: string, value: object, allowed: readonly string[]): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) {
      throw new ValidationError(`${field}.${k}`, `unknown setting; expected one of ${allowed.join(', ')}`);
    }
  }
}

function settingsObject(field: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError(field, 'must be an object');
  checkKeys(field, value, allowed);
  return value as Record<string, unknown>;
}

function limitOrNull(field: string, value: unknown): number | null {
  if (value === null) return null;
  return positiveInt(field, value, { min: 0, max: MAX_LIMIT });
}

function rateOrNull(field: string, value: unknown): Required<RateLimit> | null {
  if (value === null) return null;
  const r = settingsObject(field, value, ['limit', 'periodMs', 'burst']);
  const limit = positiveInt(`${field}.limit`, r.limit, { max: 1_000_000_000 });
  const periodMs = positiveInt(`${field}.periodMs`, r.periodMs, { max: MAX_PERIOD_MS });
  const burst = r.burst === undefined ? Math.max(1, Math.round((limit * 1000) / periodMs)) : positiveInt(`${field}.burst`, r.burst);
  return { limit, periodMs, burst };
}

/** Column values for queue_state, only for the keys given. Throws before anything is written. */
export function queueColumns(settings: unknown): Record<string, number | null> {
  const s = settingsObject('settings', settings, ['concurrency', 'tenantConcurrency', 'rate', 'tenantRate', 'agingMs', 'retry']);
  const cols: Record<string, number | null> = {};
  if (s.concurrency !== undefined) cols.concurrency = limitOrNull('concurrency', s.concurrency);
  if (s.tenantConcurrency !== undefined) cols.tenant_concurrency = limitOrNull('tenantConcurrency', s.tenantConcurrency);
  if (s.rate !== undefined) {
    const r = rateOrNull('rate', s.rate);
    Object.assign(cols, { rate_limit: r?.limit ?? null, rate_period_ms: r?.periodMs ?? null, rate_burst: r?.burst ?? null });
  }
  if (s.tenantRate !== undefined) {
    const r = rateOrNull('tenantRate', s.tenantRate);
    Object.assign(cols, {
      tenant_rate_limit: r?.limit ?? null,
      tenant_rate_period_ms: r?.periodMs ?? null,
      tenant_rate_burst: r?.burst ?? null,
    });
  }
  if (s.agingMs !== undefined) cols.aging_ms = s.agingMs === null ? null : positiveInt('agingMs', s.agingMs, { max: MAX_PERIOD_MS });
  if (s.retry !== undefined) Object.assign(cols, retryColumns(s.retry));
  return cols;
}

/** Column values for tenant_state, only for the keys given. Throws before anything is written. */
export function tenantColumns(settings: unknown): Record<string, number | null> {
  const s = settingsObject('settings', settings, ['weight', 'concurrency', 'rate']);
  const cols: Record<string, number | null> = {};
  if (s.weight !== undefined) cols.weight = positiveInt('weight', s.weight, { min: 1, max: 10_000 });
  if (s.concurrency !== undefined) cols.concurrency = limitOrNull('concurrency', s.concurrency);
  if (s.rate !== undefined) {
    const r = rateOrNull('rate', s.rate);
    Object.assign(cols, { rate_limit: r?.limit ?? null, rate_period_ms: r?.periodMs ?? null, rate_burst: r?.burst ?? null });
  }
  return cols;
}

export function validateQueueName(queue: unknown): string {
  return validateName('queue', queue);
}

export function validateTenantName(tenant: unknown): string {
  return validateName('tenant', tenant);
}

/** A stored rate: the burst defaults to one period's worth of tokens. */
export function storedRate(limit: number | null, periodMs: number | null, burst: number | null): Required<RateLimit> | null {
  if (limit === null || periodMs === null) return null;
  return { limit, periodMs, burst: burst ?? Math.max(1, Math.round((limit * 1000) / periodMs)) };
}

/** The settings columns of queue_state, as every query that reads a queue's settings returns them. */
export interface QueueSettingsRow extends QueueRetryRow {
  queue: string;
  concurrency: number | null;
  tenant_concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | null;
  rate_burst: number | null;
  tenant_rate_limit: number | null;
  tenant_rate_period_ms: number | null;
  tenant_rate_burst: number | null;
  aging_ms: number | null;
}

/** A queue's settings from its row (the fairness settings API and the admin read model share it). */
export function queueSettingsOf(r: QueueSettingsRow) {
  return {
    queue: r.queue,
    concurrency: r.concurrency,
    tenantConcurrency: r.tenant_concurrency,
    rate: storedRate(r.rate_limit, r.rate_period_ms, r.rate_burst),
    tenantRate: storedRate(r.tenant_rate_limit, r.tenant_rate_period_ms, r.tenant_rate_burst),
    agingMs: r.aging_ms,
    retry: retryOf(r),
  };
}

import { positiveInt, validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import type { BreakerHistoryEntry, BreakerKind, BreakerSettings, BreakerStatus, BreakerStore, BreakerTarget } from './breaker-store.js';

const SETTING_KEYS: ReadonlyArray<keyof BreakerSettings> = [
  'failureRatio',
  'minCalls',
  'windowMs',
  'cooldownMs',
  'maxCooldownMs',
  'probes',
  'probeTimeoutMs',
];
const INT_MAX = 2_147_483_647;

/** `{ queue: 'x' }` or `{ dependency: 'y' }` → its kind and validated name. */
export function parseTarget(target: unknown): { kind: BreakerKind; name: string } {
  if (target === null || typeof target !== 'object') {
    throw new ValidationError('target', 'must be { queue: name } or { dependency: name }');
  }
  const t = target as Record<string, unknown>;
  const keys = Object.keys(t);
  if (keys.length !== 1 || !(keys[0] === 'queue' || keys[0] === 'dependency')) {
    throw new ValidationError('target', `must have exactly one of queue, dependency (got ${keys.join(', ') || 'none'})`);
  }
  const kind = keys[0] as BreakerKind;
  return { kind, name: validateName(`target.${kind}`, t[kind]) };
}

/** Validates breaker settings; every error names the field (`settings.failureRatio`). */
export function validateSettings(settings: unknown): Partial<BreakerSettings> {
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    throw new ValidationError('settings', 'must be an object');
  }
  const s = settings as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!SETTING_KEYS.includes(k as keyof BreakerSettings)) {
      throw new ValidationError(`settings.${k}`, `unknown setting (expected one of ${SETTING_KEYS.join(', ')})`);
    }
  }
  const out: Partial<BreakerSettings> = {};
  if (s.failureRatio !== undefined) {
    const r = s.failureRatio;
    if (typeof r !== 'number' || !(r > 0 && r <= 1)) {
      throw new ValidationError('settings.failureRatio', `must be a number in (0, 1] (got ${String(r)})`);
    }
    out.failureRatio = r;
  }
  const int = (k: keyof BreakerSettings, min: number, max = INT_MAX) => {
    if (s[k] !== undefined) out[k] = positiveInt(`settings.${k}`, s[k], { min, max });
  };
  int('minCalls', 1, 1_000_000);
  int('windowMs', 1_000);
  int('cooldownMs', 100);
  int('maxCooldownMs', 100);
  int('probes', 1, 1_000);
  int('probeTimeoutMs', 100);
  if (out.cooldownMs !== undefined && out.maxCooldownMs !== undefined && out.maxCooldownMs < out.cooldownMs) {
    throw new ValidationError('settings.maxCooldownMs', `must be at least cooldownMs (${out.cooldownMs}; got ${out.maxCooldownMs})`);
  }
  return out;
}

function reasonOf(opts: { reason?: string } | undefined): string | null {
  if (opts?.reason === undefined) return null;
  if (typeof opts.reason !== 'string' || opts.reason.length > 1_000) {
    throw new ValidationError('reason', 'must be a string of at most 1,000 characters');
  }
  return opts.reason;
}

/**
 * Operators' and applications' handle on the circuit breakers (`rota.breakers`): every
 * call validates first and writes nothing on bad input. Settings and forced states live
 * in the database, so they hold for every process within one sync interval.
 *
 * A queue breaker exists once configured (or forced); a dependency breaker is created
 * with default settings the first time a handler calls `ctx.breaker(name)`.
 */
export class Breakers {
  constructor(
    private readonly store: BreakerStore,
    private readonly actor: string,
  ) {}

  /** Creates the breaker or changes its settings (the ones given; the others keep their value). */
  async configure(target: BreakerTarget, settings: Partial<BreakerSettings>): Promise<BreakerStatus> {
    const { kind, name } = parseTarget(target);
    const valid = validateSettings(settings);
    try {
      return await this.store.configure(kind, name, valid);
    } catch (err) {
      // The one combination checked against stored values: the cap below the first cooldown.
      if ((err as { code?: string }).code === '23514') {
        throw new ValidationError('settings.maxCooldownMs', 'must be at least cooldownMs (counting the stored value)');
      }
      throw err;
    }
  }

  async get(target: BreakerTarget): Promise<BreakerStatus | null> {
    const { kind, name } = parseTarget(target);
    return this.store.get(kind, name);
  }

  async list(): Promise<BreakerStatus[]> {
    return this.store.list();
  }

  /** State changes and operator actions, newest first (all breakers when no target). */
  async history(target?: BreakerTarget, opts: { limit?: number } = {}): Promise<BreakerHistoryEntry[]> {
    const t = target === undefined ? null : parseTarget(target);
    return this.store.history(t, positiveInt('limit', opts?.limit ?? 100, { max: 10_000 }));
  }

  /** Forces the breaker open (no claims / ctx.breaker rejects) until close() or reset(). */
  async open(target: BreakerTarget, opts?: { reason?: string }): Promise<BreakerStatus> {
    const { kind, name } = parseTarget(target);
    return this.store.force(kind, name, 'open', reasonOf(opts), this.actor);
  }

  /** Forces the breaker closed: it never opens on failures until reset(). */
  async close(target: BreakerTarget, opts?: { reason?: string }): Promise<BreakerStatus> {
    const { kind, name } = parseTarget(target);
    return this.store.force(kind, name, 'close', reasonOf(opts), this.actor);
  }

  /** Back to automatic: closed, window cleared, cooldown back to its first length. */
  async reset(target: BreakerTarget, opts?: { reason?: string }): Promise<BreakerStatus> {
    const { kind, name } = parseTarget(target);
    return this.store.force(kind, name, 'reset', reasonOf(opts), this.actor);
  }

  /** Deletes the breaker (its history stays). False when there was none. */
  async remove(target: BreakerTarget): Promise<boolean> {
    const { kind, name } = parseTarget(target);
    return this.store.remove(kind, name);
  }
}

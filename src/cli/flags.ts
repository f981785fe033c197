import { ValidationError } from '../errors.js';

/**
 * Option parsers shared by the commands. Each throws an error that names the flag as
 * the user typed it; commander prints it and exits 1 before any database work.
 */

/** What a limit flag's `none` parses to. Not `null`: commander turns a parser's null into ''. */
export const NONE = 'none' as const;
export type None = typeof NONE;

/** `none` → null, anything else unchanged (for building the settings objects). */
export const orNull = <T>(v: T | None): T | null => (v === NONE ? null : v);

export function int(flag: string, { min = Number.MIN_SAFE_INTEGER } = {}) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new Error(`${flag}: expected a whole number (got ${text})`);
    if (n < min) throw new Error(`${flag}: must be at least ${min} (got ${text})`);
    return n;
  };
}

export function num(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag}: expected a number (got ${text})`);
    return n;
  };
}

/** A whole number, or `none` for "no limit". */
export function limitOrNone(flag: string) {
  return (text: string): number | None => (text.trim() === NONE ? NONE : int(flag)(text));
}

export function json(flag: string) {
  return (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new Error(`${flag}: not valid JSON (${(err as Error).message})`);
    }
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * "30s", "1m", "250ms", "2h". The unit is required: a bare "30" could mean ms or
 * seconds, and guessing wrong is a thousandfold error.
 */
export function parseDuration(flag: string, text: string, { unitOnly = false } = {}): number {
  const m = /^(\d+(?:\.\d+)?)?\s*(ms|s|sec|m|min|h|d)?$/.exec(text.trim());
  if (!m || m[2] === undefined || (m[1] === undefined && !unitOnly))
    throw new Error(`${flag}: expected a duration with a unit, like 500ms, 30s, 1m or 2h (got ${text})`);
  const ms = Number(m[1] ?? 1) * (UNITS[m[2]] as number);
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`${flag}: must be a whole number of ms, at least 1 (got ${text})`);
  return ms;
}

export function durationOrNone(flag: string) {
  return (text: string): number | None => (text.trim() === NONE ? NONE : parseDuration(flag, text));
}

export interface RateFlag {
  limit: number;
  periodMs: number;
}

/** "450/min", "450/1m", "10/s", "100/500ms", or "none". */
export function rateOrNone(flag: string) {
  return (text: string): RateFlag | None => {
    if (text.trim() === NONE) return NONE;
    const m = /^(\d+)\s*\/\s*(.+)$/.exec(text.trim());
    if (!m) throw new Error(`${flag}: expected LIMIT/PERIOD such as 450/min, 10/s or 100/500ms, or none (got ${text})`);
    return { limit: Number(m[1]), periodMs: parseDuration(flag, m[2] as string, { unitOnly: true }) };
  };
}

/**
 * Runs `fn` and rewrites a ValidationError about a library field (`delayMs`,
 * `settings.failureRatio`) into one about the flag that supplied it (`--delay`).
 * `flags` maps field names (without any `settings.`/`opts.` prefix) to flags.
 */
export async function namingFlags<T>(flags: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const key = err.field.replace(/^(settings|opts|options)\./, '');
    const flag = flags[key] ?? flags[key.split('.')[0] as string];
    if (!flag) throw err;
    const detail = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
    throw new ValidationError(flag, detail);
  }
}

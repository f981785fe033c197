/**
 * Client-side checks for form fields, mirroring the server's rules so the message shows
 * beside the field before anything is sent (the server checks again and its `field`
 * lands beside the same input).
 */

/** '' → null (clear the limit); otherwise a whole number within [min, max], or an error message. */
export function optionalInt(raw: string, min: number, max = Number.MAX_SAFE_INTEGER): { value: number | null } | { error: string } {
  const s = raw.trim();
  if (s === '') return { value: null };
  if (!/^-?\d+$/.test(s)) return { error: 'a whole number' };
  const n = Number(s);
  if (n < min) return { error: `at least ${min}` };
  if (n > max) return { error: `at most ${max}` };
  return { value: n };
}

export function requiredInt(raw: string, min: number, max = Number.MAX_SAFE_INTEGER): { value: number } | { error: string } {
  if (raw.trim() === '') return { error: 'required' };
  const r = optionalInt(raw, min, max);
  return 'error' in r ? r : { value: r.value as number };
}

/** A JSON document typed into a textarea. */
export function parseJson(raw: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(raw) };
  } catch (e) {
    return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Queue and tenant names: 1 to 128 characters. */
export function name(raw: string): { value: string } | { error: string } {
  const s = raw.trim();
  if (s === '') return { error: 'required' };
  if (s.length > 128) return { error: 'at most 128 characters' };
  return { value: s };
}

export interface RateValue {
  limit: number;
  periodMs: number;
  burst?: number;
}

/**
 * A rate-limit draft ({limit, periodMs, burst} as typed): null when the limit is empty
 * (no limit), else the value, with per-part errors keyed `${key}.limit` and so on.
 */
export function rate(d: { limit: string; periodMs: string; burst: string }, key: string, errors: Record<string, string>): RateValue | null {
  if (d.limit.trim() === '') return null;
  const limit = requiredInt(d.limit, 1);
  const periodMs = requiredInt(d.periodMs, 1);
  const burst = optionalInt(d.burst, 1);
  if ('error' in limit) errors[`${key}.limit`] = limit.error;
  if ('error' in periodMs) errors[`${key}.periodMs`] = periodMs.error;
  if ('error' in burst) errors[`${key}.burst`] = burst.error;
  if ('error' in limit || 'error' in periodMs || 'error' in burst) return null;
  return burst.value === null
    ? { limit: limit.value, periodMs: periodMs.value }
    : { limit: limit.value, periodMs: periodMs.value, burst: burst.value };
}

/** Errors of a nested key (`rate.limit` → `{limit}`) for a compound field. */
export function sub(errors: Record<string, string>, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(errors)) if (k.startsWith(`${key}.`)) out[k.slice(key.length + 1)] = v;
  return out;
}

/** Server field paths come as `rate.limit` or `rate/limit` or `body.rate.limit`: one form. */
export function normaliseField(field: string | undefined): string | undefined {
  return field?.replace(/^body[./]/, '').replace(/\//g, '.');
}

/** '' → null (leave as it is); otherwise a number in (gt, max] or [min, max], or an error message. */
export function optionalNumber(
  raw: string,
  range: { gt?: number; min?: number; max?: number },
): { value: number | null } | { error: string } {
  const s = raw.trim();
  if (s === '') return { value: null };
  const n = Number(s);
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s) || !Number.isFinite(n)) return { error: 'a number' };
  if (range.gt !== undefined && !(n > range.gt)) return { error: `more than ${range.gt}` };
  if (range.min !== undefined && n < range.min) return { error: `at least ${range.min}` };
  if (range.max !== undefined && n > range.max) return { error: `at most ${range.max}` };
  return { value: n };
}

import pg from 'pg';

const TIMESTAMPTZ = 1184;

/** Digits s[from, to) as a number; NaN when one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A timestamptz as PostgreSQL prints it with DateStyle ISO (its default, and what
 * every rota session uses): `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`. Read by
 * position, not by pg's regular expressions: two timestamps per claimed job (created_at,
 * run_at) cost a cold burst's worker about 2 µs per job in postgres-date
 * (docs/performance.md, fourth pass). Anything else (years before 1000 or after 9999, BC,
 * ±infinity, another DateStyle) goes to pg's own parser, so the result is always
 * what pg would have returned: the same instant, milliseconds truncated as pg does.
 */
export function parseTimestamptz(s: string): Date {
  const n = s.length;
  if (
    n >= 22 &&
    s.charCodeAt(4) === 45 && // -
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 32 && // space
    s.charCodeAt(13) === 58 && // :
    s.charCodeAt(16) === 58
  ) {
    const year = digits(s, 0, 4);
    let i = 19;
    let ms = 0;
    if (s.charCodeAt(i) === 46) {
      // .ffffff: milliseconds are the first three digits (pg truncates the rest too).
      const start = ++i;
      while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      const end = Math.min(i, start + 3);
      ms = digits(s, start, end) * 10 ** (3 - (end - start));
    }
    const sign = s.charCodeAt(i);
    const rest = n - i - 1;
    // ±HH, ±HH:MM or ±HH:MM:SS and nothing after (" BC" and the like take pg's path).
    if (year >= 1000 && (sign === 43 || sign === 45) && (rest === 2 || rest === 5 || rest === 8)) {
      const offset =
        digits(s, i + 1, i + 3) * 3_600_000 +
        (rest >= 5 ? digits(s, i + 4, i + 6) * 60_000 : 0) +
        (rest === 8 ? digits(s, i + 7, i + 9) * 1_000 : 0);
      const t =
        Date.UTC(year, digits(s, 5, 7) - 1, digits(s, 8, 10), digits(s, 11, 13), digits(s, 14, 16), digits(s, 17, 19), ms) -
        (sign === 43 ? offset : -offset);
      if (!Number.isNaN(t)) return new Date(t);
    }
  }
  return pg.types.getTypeParser(TIMESTAMPTZ, 'text')(s) as Date;
}

/**
 * Type parsers for the claim statement (`types` of its query config): pg's own, but
 * timestamptz through parseTimestamptz. Only text results are read here.
 */
export const claimTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ && format !== 'binary') return parseTimestamptz;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as pg.CustomTypesConfig;

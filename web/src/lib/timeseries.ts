import type { Reply } from '../api/client';

type Series = Reply<'/api/timeseries', 'get'>;
export type Point = Series['points'][number];

const EMPTY = { completed: 0, failed: 0, retried: 0, dead: 0, snoozed: 0, rateLimited: 0 };
const NO_PCT = { p50: null, p95: null, p99: null };

/**
 * The API returns only the steps that have rollups; a chart needs every step of the
 * range (a quiet minute is 0 jobs, not a gap that the line jumps over). Counts are 0 and
 * percentiles null (no sample) where no point came back.
 */
export function denseSteps(points: Point[], fromMs: number, toMs: number, stepSec: number): { times: number[]; points: Point[] } {
  const stepMs = stepSec * 1000;
  const byStep = new Map(points.map((p) => [Math.floor(new Date(p.t).getTime() / stepMs), p]));
  const times: number[] = [];
  const out: Point[] = [];
  for (let s = Math.floor(fromMs / stepMs); s * stepMs < toMs; s++) {
    times.push((s * stepMs) / 1000);
    out.push(byStep.get(s) ?? { t: new Date(s * stepMs).toISOString(), ...EMPTY, wait: NO_PCT, run: NO_PCT });
  }
  return { times, points: out };
}

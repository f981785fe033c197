/**
 * The core scenario's printed tables: configurations, medians side by side, ratios
 * rota ÷ peer from the same run, and every run's raw figure (so the noise shows).
 */
import { median, printTable, type Row } from './lib.js';

/** One value per run of each figure. */
export interface Samples {
  jobsPerSec: number[];
  txPer1000: number[];
  peakConnections: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  enqueuePerSec: number[];
  errors: string[];
}

export interface ReportRow {
  label: string;
  node: string;
  settings: string;
  samples: Samples;
}

export interface CoreReport {
  rows: ReportRow[];
  /** Label of the row ratios are taken against. */
  baseline: string;
  runs: number;
  notes: string[];
  workload: { concurrency: number; burndownJobs: number; latencyJobs: number; latencyRate: number; enqueueJobs: number };
}

const count = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);
function ratio(a: number, b: number): string {
  const r = a / b;
  if (!Number.isFinite(r)) return '–';
  return `${r >= 10 ? r.toFixed(1) : r >= 1 ? r.toFixed(2) : r.toPrecision(2)}×`;
}

/** Median of the runs, formatted; '–' when no run produced the figure. */
function med(xs: number[], fmt: (v: number) => string): string {
  return xs.length === 0 ? '–' : fmt(median(xs));
}

const FIGURES: Array<{ column: string; pick: (s: Samples) => number[]; fmt: (v: number) => string }> = [
  { column: 'burn-down jobs/s', pick: (s) => s.jobsPerSec, fmt: count },
  { column: 'tx / 1,000 jobs', pick: (s) => s.txPer1000, fmt: (v) => v.toFixed(1) },
  { column: 'peak connections', pick: (s) => s.peakConnections, fmt: (v) => String(Math.round(v)) },
  { column: 'latency p50 ms', pick: (s) => s.p50, fmt: ms },
  { column: 'p95 ms', pick: (s) => s.p95, fmt: ms },
  { column: 'p99 ms', pick: (s) => s.p99, fmt: ms },
  { column: 'bulk enqueue jobs/s', pick: (s) => s.enqueuePerSec, fmt: count },
];

export function printCoreReport(r: CoreReport): void {
  const w = r.workload;
  printTable(
    'core: configurations',
    r.rows.map((row) => ({ queue: row.label, node: row.node, settings: row.settings })),
  );
  printTable(
    `core: medians of ${r.runs} run(s) — burn-down ${count(w.burndownJobs)} no-op jobs at concurrency ${w.concurrency}; ` +
      `latency ${w.latencyJobs} jobs at ${w.latencyRate}/s to an idle worker; bulk enqueue ${count(w.enqueueJobs)} jobs`,
    r.rows.map((row) => {
      const out: Row = { queue: row.label };
      for (const f of FIGURES) out[f.column] = med(f.pick(row.samples), f.fmt);
      return out;
    }),
  );
  const base = r.rows.find((row) => row.label === r.baseline);
  const peers = r.rows.filter((row) => row !== base && !row.label.startsWith('rota'));
  if (base && peers.length > 0) {
    printTable(
      `core: ratios ${base.label} ÷ peer, same run (> 1: rota's figure is larger — better for jobs/s, worse for tx, connections, latency)`,
      peers.map((row) => {
        const out: Row = { peer: row.label };
        for (const f of FIGURES) {
          const a = f.pick(base.samples);
          const b = f.pick(row.samples);
          out[f.column] = a.length && b.length ? ratio(median(a), median(b)) : '–';
        }
        return out;
      }),
    );
  }
  printTable(
    'core: every run (in run order)',
    r.rows.map((row) => ({
      queue: row.label,
      'burn-down jobs/s': row.samples.jobsPerSec.map(count).join(', '),
      'tx / 1,000 jobs': row.samples.txPer1000.map((v) => v.toFixed(1)).join(', '),
      'p99 ms': row.samples.p99.map(ms).join(', '),
      'bulk enqueue jobs/s': row.samples.enqueuePerSec.map(count).join(', '),
    })),
  );
  const problems = r.rows.flatMap((row) => row.samples.errors.map((e) => `- ${row.label}: ${e}`));
  const lines = [...r.notes.map((n) => `- ${n}`), ...problems];
  if (lines.length > 0) console.log(`\n${lines.join('\n')}`);
}

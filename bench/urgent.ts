/**
 * Urgent work behind a full buffer (issue #9): a worker at concurrency 20 burns down
 * 100,000 no-op normal jobs (it holds thousands of them claimed); meanwhile 40 urgent
 * jobs are enqueued one at a time, 25 ms apart. Handler start measured from the enqueue
 * call (the target, issue #9: p50 ≤ 5 ms) and from the call's return (its commit
 * acknowledged; negative when the job started before the reply arrived), one process,
 * one clock; how long the enqueue call itself took, and how many jobs the worker held
 * when each was enqueued.
 * `--only urgent [--runs N]`.
 */
import { engineChild, withJobs } from './engine-lib.js';
import { type BenchServer, median, percentile, printTable, type Row } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'urgent';

const BACKLOG = 100_000;

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const rows: Row[] = [];
  for (let round = 0; round < opts.runs; round++) {
    console.error(`urgent: round ${round + 1}/${opts.runs}`);
    const res = await withJobs(server, BACKLOG, 1, (url) =>
      engineChild<{ latencies: number[]; fromReturn: number[]; held: number[]; enqueueMs: number[]; normalPerSec: number }>({
        ENGINE_DB_URL: url,
        ENGINE_MODE: 'urgent',
        ENGINE_SAMPLES: 40,
        ENGINE_GAP_MS: 25,
      }),
    );
    rows.push({
      round: round + 1,
      'urgent jobs started': `${res.latencies.length} of 40`,
      'jobs held by the worker at enqueue (median / min)': `${median(res.held)} / ${Math.min(...res.held)}`,
      'enqueue call p50 ms': percentile(res.enqueueMs, 50).toFixed(1),
      'call → start p50 ms': percentile(res.latencies, 50).toFixed(1),
      'p90 ms': percentile(res.latencies, 90).toFixed(1),
      'p99 ms': percentile(res.latencies, 99).toFixed(1),
      'max ms': Math.max(...res.latencies).toFixed(1),
      'return (commit acknowledged) → start p50 / p90 ms': `${percentile(res.fromReturn, 50).toFixed(1)} / ${percentile(res.fromReturn, 90).toFixed(1)}`,
      'normal jobs/s meanwhile': Math.round(res.normalPerSec),
    });
  }
  printTable(
    `Urgent jobs while the worker holds thousands of normal jobs (backlog ${BACKLOG.toLocaleString('en-US')}, concurrency 20)`,
    rows,
  );
}

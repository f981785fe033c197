/**
 * What a benchmark child process is asked to do (environment variables in) and what it
 * answers (one `RESULT {json}` line on stdout out). Shared by the parent (bench/child.ts)
 * and the child side (bench/proc/driver.ts), so both agree on the names.
 */

/** Lines starting with this carry the child's JSON result; anything else is the library's own output. */
export const RESULT_PREFIX = 'RESULT ';

/** application_name of the child's probe connection, so connection counts can leave it out. */
export const PROBE_APP = 'bench-probe';

export type Mode = 'setup' | 'burndown' | 'latency' | 'enqueue';

export interface ChildEnv {
  BENCH_DB_URL: string;
  BENCH_MODE: Mode;
  /** Jobs to enqueue (setup, enqueue) or to wait for (burndown, latency). */
  BENCH_JOBS: string;
  BENCH_CONCURRENCY: string;
  /** Which configuration of the library to use (e.g. 'defaults', 'tuned'). */
  BENCH_VARIANT: string;
  /** Latency mode: jobs enqueued per second. */
  BENCH_RATE: string;
  /** Setup mode: bulk enqueue calls of this many jobs (default: one call). */
  BENCH_CHUNK?: string;
}

export interface SetupResult {
  mode: 'setup';
}

export interface EnqueueResult {
  mode: 'enqueue';
  ms: number;
}

export interface BurndownResult {
  mode: 'burndown';
  /** From starting the worker to the probe seeing every job finished in the database. */
  ms: number;
  /** Queries the probe ran (each one transaction, subtracted from the database's count). */
  probeQueries: number;
  /** From starting the worker to the last handler call (the rest of `ms` is status writes landing). */
  handlersMs?: number;
}

export interface LatencyResult {
  mode: 'latency';
  /** Enqueue call to handler start, ms, one per job, same process clock. */
  latencies: number[];
}

export type ChildResult = SetupResult | EnqueueResult | BurndownResult | LatencyResult;

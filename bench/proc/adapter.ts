/**
 * The one thing each queue library implements for the benchmark: how to create its
 * schema, enqueue, work and close, with its own API. bench/proc/driver.ts runs the
 * measured scenarios on top of it, so every library is timed by the same code.
 */

/** The payload every benchmark job carries. */
export interface BenchPayload {
  i: number;
  /** performance.now() in the enqueuing process, for latency jobs. */
  t?: number;
}

export interface QueueAdapter {
  /** Creates the library's tables in the (fresh) database. */
  migrate(): Promise<void>;
  /** Inserts all payloads with the library's bulk API (as few calls as it allows). */
  enqueueBulk(payloads: BenchPayload[]): Promise<void>;
  /** Enqueues one job with the library's single-job API. */
  enqueueOne(payload: BenchPayload): Promise<void>;
  /** Starts working the benchmark queue; `handler` runs once per job, synchronously (a no-op job). */
  work(concurrency: number, handler: (payload: BenchPayload) => void): Promise<void>;
  /** Stops the worker gracefully and closes every connection the adapter opened. */
  close(): Promise<void>;
  /** SQL returning one row `{ n: number }`: jobs of the benchmark queue not yet recorded as finished. */
  readonly unfinishedSql: string;
}

export type AdapterFactory = (url: string, variant: string) => QueueAdapter | Promise<QueueAdapter>;

/** The queue (task, job name) every adapter uses. */
export const QUEUE = 'bench';

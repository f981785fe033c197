/**
 * The child side of a measurement: reads what to do from the environment (see
 * protocol.ts), runs it against one library's adapter, prints one RESULT line and
 * exits. The same code times every library, so the figures differ only by the library.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import type { AdapterFactory, BenchPayload, QueueAdapter } from './adapter.js';
import { type ChildResult, type Mode, PROBE_APP, RESULT_PREFIX } from './protocol.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
}

function payloads(n: number): BenchPayload[] {
  return Array.from({ length: n }, (_, i) => ({ i }));
}

/** Resolves once `n` calls of the returned handler were made (or at once for n = 0). */
function countdown(n: number): { handler: () => void; done: Promise<void> } {
  let left = n;
  let resolve = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  if (n === 0) resolve();
  return {
    handler: () => {
      if (--left === 0) resolve();
    },
    done,
  };
}

/**
 * With BENCH_CPU_PROFILE=file.cpuprofile, profiles only the measured section (not
 * start-up or module loading); open the file in Chrome DevTools or speedscope.
 */
async function startProfile(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * Burn-down: the clock runs from starting the worker until the database says every job
 * is finished. Handlers count first; then a probe connection (opened before the clock
 * starts, named PROBE_APP so connection counts leave it out) polls the library's
 * "unfinished" query, because completions may still sit in the library's batcher.
 */
async function burndown(adapter: QueueAdapter, url: string, jobs: number, concurrency: number): Promise<ChildResult> {
  const probe = new pg.Client({ connectionString: url, application_name: PROBE_APP });
  await probe.connect();
  try {
    const { handler, done } = countdown(jobs);
    const stopProfile = await startProfile();
    const started = performance.now();
    await adapter.work(concurrency, handler);
    await done;
    const handlersMs = performance.now() - started;
    let probeQueries = 0;
    for (;;) {
      probeQueries++;
      const res = await probe.query<{ n: number }>(adapter.unfinishedSql);
      if (Number(res.rows[0]?.n ?? 0) === 0) break;
      await sleep(1);
    }
    const ms = performance.now() - started;
    await stopProfile();
    return { mode: 'burndown', ms, probeQueries, handlersMs };
  } finally {
    await probe.end();
  }
}

/**
 * Latency: an idle worker (started, then left alone for a second), then `jobs` single
 * enqueues paced at `rate` per second, one at a time. Each payload carries the
 * enqueuer's performance.now() taken just before the enqueue call; the handler, in the
 * same process, subtracts it from its own. Same clock, no cross-process skew.
 */
async function latency(adapter: QueueAdapter, jobs: number, concurrency: number, rate: number): Promise<ChildResult> {
  const latencies: number[] = [];
  const { handler, done } = countdown(jobs);
  await adapter.work(concurrency, (p) => {
    if (p.t !== undefined) latencies.push(performance.now() - p.t);
    handler();
  });
  await sleep(1_000);
  const start = performance.now();
  const gapMs = 1000 / rate;
  for (let i = 0; i < jobs; i++) {
    const wait = start + i * gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    await adapter.enqueueOne({ i, t: performance.now() });
  }
  await done;
  return { mode: 'latency', latencies };
}

async function run(adapter: QueueAdapter, mode: Mode, url: string): Promise<ChildResult> {
  const jobs = Number(env('BENCH_JOBS', '0'));
  const concurrency = Number(env('BENCH_CONCURRENCY', '20'));
  switch (mode) {
    case 'setup': {
      await adapter.migrate();
      // BENCH_CHUNK: enqueue in bulk calls of this many (default: one call).
      const chunk = Number(env('BENCH_CHUNK', '0')) || jobs;
      const all = payloads(jobs);
      for (let i = 0; i < jobs; i += chunk) await adapter.enqueueBulk(all.slice(i, i + chunk));
      return { mode };
    }
    case 'enqueue': {
      const items = payloads(jobs);
      const started = performance.now();
      await adapter.enqueueBulk(items);
      return { mode, ms: performance.now() - started };
    }
    case 'burndown':
      return burndown(adapter, url, jobs, concurrency);
    case 'latency':
      return latency(adapter, jobs, concurrency, Number(env('BENCH_RATE', '100')));
    default:
      throw new Error(`unknown BENCH_MODE ${String(mode)}`);
  }
}

/** Entry point of every child script: `await runDriver((url, variant) => adapter)`. */
export async function runDriver(create: AdapterFactory): Promise<void> {
  const url = env('BENCH_DB_URL');
  const mode = env('BENCH_MODE') as Mode;
  const adapter = await create(url, env('BENCH_VARIANT', 'defaults'));
  let result: ChildResult;
  try {
    result = await run(adapter, mode, url);
  } finally {
    await adapter.close();
  }
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  // Some libraries keep timers alive after close; the result is out, so leave now.
  process.exit(0);
}

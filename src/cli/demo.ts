import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError } from '../errors.js';
import { Rota } from '../rota.js';
import { serve } from '../server/listen.js';
import { onShutdownSignal, openDatabase } from './context.js';

export interface DemoOptions {
  durationSec?: number;
  /** Where the progress lines go (stdout by default). */
  out?: (line: string) => void;
}

interface IngestPayload {
  store: string;
  item: number;
}

const SMALL_STORES = ['store-corner', 'store-kiosk', 'store-market', 'store-bakery', 'store-books'];
const BIG_STORE = 'store-mega';
const DEMO_SCHEMA = 'rota_demo';

/**
 * `npm start`: an ingestion-like workload on real PostgreSQL. One big store bulk-loads
 * thousands of items, small stores trickle in a few dozen, 4% of attempts fail (and
 * retry with backoff), 0.2% fail permanently; a line of progress every second, a
 * summary on exit (Ctrl-C, or after --duration).
 */
export async function runDemo(opts: DemoOptions = {}): Promise<void> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const db = await openDatabase({ embedded: 'always' });
  // On the user's own database the demo keeps to a schema of its own, so its schedule and
  // jobs never mix with real ones (and one DROP SCHEMA removes them).
  const schema = db.embedded ? 'rota' : DEMO_SCHEMA;
  out(
    db.embedded
      ? `embedded PostgreSQL 18 on port ${db.embedded.port} in ${db.embedded.dir} (deleted on exit)`
      : `using DATABASE_URL, schema ${DEMO_SCHEMA} (remove it with DROP SCHEMA ${DEMO_SCHEMA} CASCADE)`,
  );
  const rota = new Rota({
    connectionString: db.url,
    schema,
    shutdownTimeoutMs: 5_000,
    monitor: { evaluateIntervalMs: 2_000, resolveAfter: 2 },
  });
  await rota.migrate();
  // The demo's own schema (or database), so its rule settings touch nothing real.
  await rota.alerts.configure('failure_ratio', { thresholds: { ratio: 0.15, windowMs: 60_000, minAttempts: 100, clearMargin: 0.08 } });
  // The workload's 0.2 % malformed items are expected: alert on dead jobs only in bulk.
  await rota.alerts.configure('dead_jobs', { thresholds: { windowMs: 60_000, minDead: 150 } });
  const openAlerts = new Map<string, string>();
  rota.on('alert', ({ action, alert }) => {
    const key = `${alert.type}:${alert.subject}`;
    if (action === 'fired') openAlerts.set(key, alert.type);
    else openAlerts.delete(key);
    out(`alert ${action}: [${alert.severity}] ${alert.message}`);
  });
  rota.monitor.start();
  let outageUntil = 0;
  // The management API and dashboard beside the demo (PORT, default 8080; any free port if taken).
  const port = Number(process.env.PORT ?? 8080);
  const { app } = await serve({ rota, port, say: out }).catch((err: { code?: string }) => {
    if (err.code !== 'EADDRINUSE') throw err;
    return serve({ rota, port: 0, say: out });
  });

  const started = Date.now();
  let completed = 0;
  let failedAttempts = 0;
  let dead = 0;
  rota.on('job:completed', () => completed++);
  rota.on('job:failed', ({ willRetry }) => {
    failedAttempts++;
    if (!willRetry) dead++;
  });

  rota.work<IngestPayload>('ingest', { concurrency: 20, retry: { baseMs: 200, maxMs: 5_000 } }, async (job, ctx) => {
    await sleep(10 + Math.random() * 40, undefined, { signal: ctx.signal });
    if (Date.now() < outageUntil && Math.random() < 0.6) throw new Error(`upstream outage for item ${job.payload.item}`);
    const roll = Math.random();
    if (roll < 0.002) throw new PermanentError(`item ${job.payload.item} is malformed`);
    if (roll < 0.04) throw new Error(`upstream 503 for item ${job.payload.item} (attempt ${job.attempt})`);
    return { stored: job.payload.item };
  });
  rota.work<{ store: string }>('report', { concurrency: 2 }, async (job) => {
    await sleep(20);
    return { store: job.payload.store, built: new Date().toISOString() };
  });

  // A cron schedule: a rollup every 5 seconds, enqueued exactly once per tick however
  // many schedulers run (here one).
  await rota.schedule('rollup', '*/5 * * * * *', 'report', { store: 'all' }, { tenant: 'ops' });
  rota.startScheduler();

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(progress);
    await app.close();
    await rota.stopWorkers();
    await printSummary(rota, out, { started, completed, failedAttempts, dead });
    await rota.close();
    await db.close();
  };
  onShutdownSignal(shutdown);

  let last = 0;
  const progress = setInterval(() => {
    void (async () => {
      const counts = await rota.counts(60_000).catch(() => []);
      const backlog = counts.filter((c) => c.state === 'available' || c.state === 'scheduled').reduce((a, c) => a + c.count, 0);
      const running = counts.filter((c) => c.state === 'running').reduce((a, c) => a + c.count, 0);
      const rate = completed - last;
      last = completed;
      const p = rota.poolStats();
      out(
        `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] processed/s ${String(rate).padStart(5)}  completed ${String(completed).padStart(7)}  backlog ${String(backlog).padStart(6)}  claimed ${String(running).padStart(4)}  failed attempts ${failedAttempts}  dead ${dead}  pool ${p.total}/${p.idle} idle  alerts ${openAlerts.size ? [...openAlerts.values()].join(',') : 0}`,
      );
    })();
  }, 1_000);

  // The workload: waves every 10 s until stopped.
  void (async () => {
    for (let wave = 0; !stopping; wave++) {
      // Every two minutes the upstream is down for 8 s.
      if (wave % 12 === 2) outageUntil = Date.now() + 8_000;
      await rota.enqueueMany(
        'ingest',
        Array.from({ length: 3_000 }, (_, i) => ({ payload: { store: BIG_STORE, item: wave * 3_000 + i }, tenant: BIG_STORE })),
      );
      for (const store of SMALL_STORES) {
        await rota.enqueueMany(
          'ingest',
          Array.from({ length: 40 }, (_, i) => ({ payload: { store, item: wave * 40 + i }, tenant: store, priority: 'high' as const })),
        );
        await rota.enqueue('report', { store }, { tenant: store, dedupKey: `report:${store}` });
      }
      for (let t = 0; t < 100 && !stopping; t++) await sleep(100);
    }
  })().catch((err) => {
    if (!stopping) out(`workload stopped: ${String(err)}`);
  });

  if (opts.durationSec !== undefined) {
    await sleep(opts.durationSec * 1000);
    await shutdown();
  } else {
    await new Promise<never>(() => {});
  }
}

async function printSummary(
  rota: Rota,
  out: (line: string) => void,
  s: { started: number; completed: number; failedAttempts: number; dead: number },
): Promise<void> {
  const secs = (Date.now() - s.started) / 1000;
  const st = rota.stats();
  out('');
  out(`summary after ${secs.toFixed(1)} s`);
  out(`  completed        ${s.completed} (${(s.completed / secs).toFixed(0)}/s)`);
  out(`  failed attempts  ${s.failedAttempts} (retried with backoff), dead ${s.dead}`);
  out(
    `  status flushes   ${st.flushes} for ${st.flushedRows} writes (${(st.flushedRows / Math.max(1, st.flushes)).toFixed(1)} per statement)`,
  );
  const counts = await rota.counts();
  for (const c of counts) out(`  ${c.queue.padEnd(8)} ${c.state.padEnd(10)} ${c.count}`);
}

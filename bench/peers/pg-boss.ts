/**
 * pg-boss 12 under the benchmark driver, tuned. Its handlers receive batches
 * (`batchSize` jobs per call) from `localConcurrency` pollers per process. Here:
 * LISTEN/NOTIFY on (instance `useListenNotify` + queue `notify`), 2 pollers fetching 100
 * jobs each and fetching again at once while batches come back full
 * (`burstWhenBatchFull`), each batch run 10 at a time, so at most 20 handlers run at
 * once, like the other queues' concurrency 20.
 *
 * Its defaults are not benchmarked: a poller waits its 2 s polling interval after every
 * batch, so 20 pollers of one job each run ~10 jobs/s (200 jobs took 18 s here), and a
 * 20,000-job burn-down would take half an hour.
 */
import { PgBoss } from 'pg-boss';
import { type BenchPayload, QUEUE } from '../proc/adapter.js';
import { runDriver } from '../proc/driver.js';

/** Runs `fn` over `items` with at most `width` at a time. */
async function eachLimited<T>(items: T[], width: number, fn: (item: T) => void | Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

const POLLERS = 2;

await runDriver((connectionString) => {
  const boss = (role: 'producer' | 'worker') => {
    const b = new PgBoss({
      connectionString,
      useListenNotify: true,
      // The producer only sends: no maintenance or cron of its own.
      ...(role === 'producer' ? { supervise: false, schedule: false } : {}),
    });
    b.on('error', (err) => console.error('pg-boss error:', err));
    return b;
  };
  let producer: PgBoss | null = null;
  let worker: PgBoss | null = null;
  const getProducer = async () => {
    if (!producer) {
      producer = boss('producer');
      await producer.start();
    }
    return producer;
  };
  return {
    unfinishedSql: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state < 'completed'`,
    async migrate() {
      const b = await getProducer();
      await b.createQueue(QUEUE, { notify: true });
    },
    async enqueueBulk(payloads) {
      await (await getProducer()).insert(
        QUEUE,
        payloads.map((data) => ({ data })),
      );
    },
    async enqueueOne(payload) {
      await (await getProducer()).send(QUEUE, payload);
    },
    async work(concurrency, handler) {
      worker = boss('worker');
      await worker.start();
      await worker.work<BenchPayload>(
        QUEUE,
        { localConcurrency: POLLERS, batchSize: 100, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
        async (jobs) => eachLimited(jobs, Math.ceil(concurrency / POLLERS), (job) => handler(job.data)),
      );
    },
    async close() {
      await worker?.stop({ graceful: true });
      await producer?.stop({ graceful: true });
    },
  };
});

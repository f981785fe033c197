/**
 * BullMQ 6 on its PostgreSQL backend (`createPostgresBackend`) under the benchmark
 * driver: Worker concurrency 20, everything else at its defaults (completed jobs are
 * kept, as with removeOnComplete unset). Migrations run explicitly, as its guide says.
 */
import { createPostgresBackend, Queue, runMigrations, Worker } from 'bullmq';
import pg from 'pg';
import { type BenchPayload, QUEUE } from '../proc/adapter.js';
import { runDriver } from '../proc/driver.js';

await runDriver((connection) => {
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  const getQueue = () => {
    queue ??= new Queue(QUEUE, { connection }, createPostgresBackend);
    return queue;
  };
  return {
    unfinishedSql: "SELECT count(*)::int AS n FROM bullmq.job WHERE state NOT IN ('completed', 'failed')",
    async migrate() {
      const client = new pg.Client(connection);
      await client.connect();
      try {
        await runMigrations(client);
      } finally {
        await client.end();
      }
    },
    async enqueueBulk(payloads) {
      await getQueue().addBulk(payloads.map((data) => ({ name: QUEUE, data })));
    },
    async enqueueOne(payload) {
      await getQueue().add(QUEUE, payload);
    },
    async work(concurrency, handler) {
      worker = new Worker(
        QUEUE,
        async (job) => {
          handler(job.data as BenchPayload);
        },
        { connection, concurrency },
        createPostgresBackend,
      );
      worker.on('error', (err) => console.error('bullmq worker error:', err));
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close();
      await queue?.close();
    },
  };
});

/**
 * rota under the benchmark driver. Enqueues go through one Rota instance and work
 * through another, as an application's web and worker processes would; each opens its
 * pool lazily, so a burn-down child holds only the worker's connections.
 */
import { Rota } from '../../src/index.js';
import { type BenchPayload, QUEUE } from './adapter.js';
import { runDriver } from './driver.js';

await runDriver((url) => {
  const producer = new Rota({ connectionString: url });
  const worker = new Rota({ connectionString: url });
  return {
    unfinishedSql: 'SELECT count(*)::int AS n FROM rota.jobs',
    async migrate() {
      await producer.migrate();
    },
    async enqueueBulk(payloads) {
      await producer.enqueueMany(
        QUEUE,
        payloads.map((payload) => ({ payload })),
      );
    },
    async enqueueOne(payload) {
      await producer.enqueue(QUEUE, payload);
    },
    async work(concurrency, handler) {
      worker.work<BenchPayload>(QUEUE, { concurrency }, async (job) => handler(job.payload));
    },
    async close() {
      await worker.close();
      await producer.close();
    },
  };
});

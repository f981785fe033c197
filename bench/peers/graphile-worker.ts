/**
 * graphile-worker 0.18 under the benchmark driver. Variants:
 * - defaults: concurrency only (each job fetched and completed with its own statement);
 * - batched: the configuration its performance page publishes (local queue of 500,
 *   completions and failures batched with a 0 ms delay, pool = concurrency + 1).
 */
import { Logger, makeWorkerUtils, type Runner, run, runMigrations, type WorkerUtils } from 'graphile-worker';
import { type BenchPayload, QUEUE } from '../proc/adapter.js';
import { runDriver } from '../proc/driver.js';

/** Warnings and errors to stderr; its info lines ("Worker connected…") would only be noise. */
const logger = new Logger(() => (level: string, message: string) => {
  if (level === 'error' || level === 'warning') console.error(`graphile-worker ${level}: ${message}`);
});

await runDriver((connectionString, variant) => {
  let utils: WorkerUtils | null = null;
  let runner: Runner | null = null;
  const getUtils = async () => {
    utils ??= await makeWorkerUtils({ connectionString, logger });
    return utils;
  };
  return {
    unfinishedSql: 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',
    async migrate() {
      await runMigrations({ connectionString, logger });
    },
    async enqueueBulk(payloads) {
      await (await getUtils()).addJobs(payloads.map((payload) => ({ identifier: QUEUE, payload })));
    },
    async enqueueOne(payload) {
      await (await getUtils()).addJob(QUEUE, payload);
    },
    async work(concurrency, handler) {
      const batched =
        variant === 'batched'
          ? { maxPoolSize: concurrency + 1, localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }
          : {};
      runner = await run({
        logger,
        noHandleSignals: true,
        taskList: {
          [QUEUE]: async (payload) => {
            handler(payload as BenchPayload);
          },
        },
        preset: { worker: { connectionString, concurrentJobs: concurrency, ...batched } },
      });
    },
    async close() {
      await runner?.stop();
      await utils?.release();
    },
  };
});

import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import type { Priority } from '../../types.js';
import { onShutdownSignal, openDatabase, rotaFromEnv } from '../context.js';
import { runDemo } from '../demo.js';
import { int, json, namingFlags } from '../flags.js';
import { importWorkerModule, queuesToServe } from '../worker-module.js';

/** Library fields → `rota enqueue` flags. */
const ENQUEUE_FLAGS = {
  tenant: '--tenant',
  priority: '--priority',
  delayMs: '--delay',
  dedupKey: '--dedup-key',
  maxAttempts: '--max-attempts',
  timeoutMs: '--timeout',
  payload: '<payload>',
  queue: '<queue>',
};

export function registerCoreCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations (safe to run from several processes at once)')
    .option('--down-to <version>', 'revert migrations above this version instead (0 drops everything)', int('--down-to', { min: 0 }))
    .option('--yes', 'with --down-to: yes, drop those tables and the jobs and history in them')
    .action(async (opts: { downTo?: number; yes?: boolean }) => {
      if (opts.downTo !== undefined && !opts.yes) {
        const what =
          opts.downTo === 0
            ? "--down-to 0 reverts every migration: it drops all of rota's tables, every job, schedule and their history"
            : `--down-to ${opts.downTo} reverts the migrations above version ${opts.downTo}, dropping what they created (tables, columns and the data in them)`;
        throw new Error(`${what}; add --yes to do it`);
      }
      const db = await openDatabase({ embedded: 'never' });
      const rota = rotaFromEnv(db.url);
      try {
        if (opts.downTo !== undefined) {
          const reverted = await rota.migrateDown(opts.downTo);
          console.log(reverted.length ? `reverted ${reverted.join(', ')}` : 'nothing to revert');
        } else {
          const r = await rota.migrate();
          console.log(
            r.applied.length ? `applied ${r.applied.join(', ')}; now at version ${r.version}` : `up to date (version ${r.version})`,
          );
        }
      } finally {
        await rota.close();
        await db.close();
      }
    });

  program
    .command('enqueue <queue> <payload>')
    .description('enqueue one job; payload is JSON')
    .option('--tenant <tenant>')
    .option('--priority <priority>', 'urgent | high | normal | low')
    .option('--delay <ms>', 'run after this many ms', int('--delay'))
    .option('--dedup-key <key>')
    .option('--max-attempts <n>', 'attempts before the job is dead', int('--max-attempts'))
    .option('--timeout <ms>', 'per-attempt timeout', int('--timeout'))
    .action(async (queue: string, payloadText: string, o: Record<string, unknown>) => {
      const payload = json('<payload>')(payloadText);
      const db = await openDatabase({ embedded: 'never' });
      const rota = rotaFromEnv(db.url);
      try {
        const r = await namingFlags(ENQUEUE_FLAGS, () =>
          rota.enqueue(queue, payload, {
            tenant: o.tenant as string | undefined,
            priority: o.priority as Priority | undefined,
            delayMs: o.delay as number | undefined,
            dedupKey: o.dedupKey as string | undefined,
            maxAttempts: o.maxAttempts as number | undefined,
            timeoutMs: o.timeout as number | undefined,
          }),
        );
        console.log(JSON.stringify(r));
      } finally {
        await rota.close();
        await db.close();
      }
    });

  program
    .command('status')
    .description('jobs per queue and state (finished ones over the last 24 h) and live worker processes')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const db = await openDatabase({ embedded: 'never' });
      const rota = rotaFromEnv(db.url);
      try {
        const counts = await rota.counts();
        const workers = await rota.workers();
        if (o.json) {
          console.log(JSON.stringify({ counts, workers }, null, 2));
          return;
        }
        const byQueue = new Map<string, Record<string, number>>();
        for (const c of counts) byQueue.set(c.queue, { ...byQueue.get(c.queue), [c.state]: c.count });
        const states = ['available', 'scheduled', 'running', 'completed', 'dead', 'cancelled'];
        console.log(['queue', ...states].map((s) => s.padEnd(12)).join(''));
        for (const [queue, row] of byQueue)
          console.log([queue, ...states.map((s) => String(row[s] ?? 0))].map((s) => s.padEnd(12)).join(''));
        console.log(`\n${workers.length} worker process(es)`);
        for (const w of workers) console.log(`  ${w.id}  queues=${w.queues.join(',')}  heartbeat ${w.heartbeatAgeMs} ms ago`);
      } finally {
        await rota.close();
        await db.close();
      }
    });

  program
    .command('worker')
    .description('work the queues whose handlers a module exports (see WorkerModule: export default { queue: handler })')
    .requiredOption(
      '--module <path>',
      'ES module whose default export maps queue names to handlers (.ts: run with NODE_OPTIONS="--import tsx")',
    )
    .option('--queues <list>', 'only these queues (comma-separated); each must have a handler in the module')
    .option('--concurrency <n>', 'default concurrency per queue', int('--concurrency', { min: 1 }), 10)
    .action(async (o: { module: string; queues?: string; concurrency: number }) => {
      const only = o.queues === undefined ? null : o.queues.split(',').map((q) => q.trim());
      if (only?.some((q) => q === '')) throw new Error(`--queues: expected comma-separated queue names (got ${JSON.stringify(o.queues)})`);
      const mod = await importWorkerModule(o.module);
      const serve = queuesToServe(o.module, mod, only, o.concurrency);
      const exported = Object.keys((mod as { default: object }).default);
      console.log(`loaded ${o.module}: handlers for ${exported.join(', ')}`);
      const db = await openDatabase({ embedded: 'on-flag' });
      const rota = rotaFromEnv(db.url);
      const stop = async () => {
        await rota.close();
        await db.close();
      };
      try {
        await rota.migrate();
        for (const s of serve) {
          try {
            rota.work(s.queue, s.options, s.handler);
          } catch (err) {
            if (err instanceof ValidationError)
              throw new Error(
                `--module: queue ${JSON.stringify(s.queue)} in ${o.module}: ${err.field}: ${err.message.slice(err.field.length + 2)}`,
              );
            throw err;
          }
          console.log(`serving ${s.queue} (concurrency ${s.options.concurrency})`);
        }
      } catch (err) {
        await stop();
        throw err;
      }
      const skipped = exported.filter((q) => !serve.some((s) => s.queue === q));
      if (skipped.length > 0) console.log(`not serving ${skipped.join(', ')} (not in --queues)`);
      // Alert rules (one evaluating process at a time, by lease) and webhook deliveries.
      rota.monitor.start();
      console.log(`worker ${rota.workerId} running; Ctrl-C or SIGTERM drains in-flight jobs and exits`);
      onShutdownSignal(stop);
    });

  program
    .command('demo')
    .description('embedded PostgreSQL (unless DATABASE_URL), migrations, workers and a multi-tenant workload to watch')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)', int('--duration', { min: 1 }))
    .action(async (o: { duration?: number }) => {
      await runDemo({ durationSec: o.duration });
    });
}

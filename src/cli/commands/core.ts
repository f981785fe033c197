import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { Handler, Priority } from '../../types.js';
import { onShutdownSignal, openDatabase, rotaFromEnv } from '../context.js';
import { runDemo } from '../demo.js';

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`payload: not valid JSON (${(err as Error).message})`);
  }
}

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name}: must be an integer (got ${v})`);
    return n;
  };
}

/** A handler module for `rota worker`: `export default { queueName: handler | { handler, concurrency } }`. */
type HandlerModule = Record<string, Handler | { handler: Handler; concurrency?: number; timeoutMs?: number }>;

export function registerCoreCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations (safe to run from several processes at once)')
    .option('--down-to <version>', 'revert migrations above this version instead', int('down-to'))
    .action(async (opts: { downTo?: number }) => {
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
    .option('--delay <ms>', 'run after this many ms', int('delay'))
    .option('--dedup-key <key>')
    .option('--max-attempts <n>', 'attempts before the job is dead', int('max-attempts'))
    .option('--timeout <ms>', 'per-attempt timeout', int('timeout'))
    .action(async (queue: string, payload: string, o: Record<string, unknown>) => {
      const db = await openDatabase({ embedded: 'never' });
      const rota = rotaFromEnv(db.url);
      try {
        const r = await rota.enqueue(queue, json(payload), {
          tenant: o.tenant as string | undefined,
          priority: o.priority as Priority | undefined,
          delayMs: o.delay as number | undefined,
          dedupKey: o.dedupKey as string | undefined,
          maxAttempts: o.maxAttempts as number | undefined,
          timeoutMs: o.timeout as number | undefined,
        });
        console.log(JSON.stringify(r));
      } finally {
        await rota.close();
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
      }
    });

  program
    .command('worker')
    .description('run workers for the handlers exported by a module (default export: { queue: handler })')
    .requiredOption('--module <path>', 'ES module exporting the handlers')
    .option('--queues <list>', 'only these queues (comma-separated)')
    .option('--concurrency <n>', 'default concurrency per queue', int('concurrency'), 10)
    .action(async (o: { module: string; queues?: string; concurrency: number }) => {
      const db = await openDatabase({ embedded: 'on-flag' });
      const rota = rotaFromEnv(db.url);
      const mod = (await import(pathToFileURL(resolve(o.module)).href)) as { default?: HandlerModule };
      const handlers = mod.default ?? {};
      const only = o.queues ? new Set(o.queues.split(',')) : null;
      await rota.migrate();
      for (const [queue, h] of Object.entries(handlers)) {
        if (only && !only.has(queue)) continue;
        const spec = typeof h === 'function' ? { handler: h } : h;
        rota.work(queue, { concurrency: spec.concurrency ?? o.concurrency, timeoutMs: spec.timeoutMs }, spec.handler);
        console.log(`working ${queue}`);
      }
      // Alert rules (one evaluating process at a time, by lease) and webhook deliveries.
      rota.monitor.start();
      onShutdownSignal(async () => {
        await rota.close();
        await db.close();
      });
    });

  program
    .command('demo')
    .description('embedded PostgreSQL (unless DATABASE_URL), migrations, workers and a multi-tenant workload to watch')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)', int('duration'))
    .action(async (o: { duration?: number }) => {
      await runDemo({ durationSec: o.duration });
    });
}

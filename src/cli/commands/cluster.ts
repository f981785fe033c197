import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RotaCluster } from '../../cluster/cluster.js';
import { type ClusterOptions, resolveCluster } from '../../cluster/config.js';
import { PartialReadError } from '../../cluster/reads.js';
import { ValidationError } from '../../errors.js';
import { int } from '../flags.js';

/** Top-level keys of a cluster config file (ClusterOptions without the code-only ones). */
const CONFIG_KEYS = ['servers', 'groups', 'placement', 'schemaPrefix', 'coordinator', 'legacy', 'migrateConcurrency', 'sharedRuntime'];

/**
 * Reads and validates a cluster config file (JSON: servers, groups, placement, ...). A
 * connectionString written as `env:NAME` is read from the environment, so passwords stay
 * out of the file. Every error names the file and the field.
 */
export function readClusterConfig(file: string): ClusterOptions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValidationError('--config', `cannot read ${file} (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ValidationError('--config', `${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('--config', `${file} must hold a JSON object`);
  for (const key of Object.keys(raw))
    if (!CONFIG_KEYS.includes(key))
      throw new ValidationError(`${file}: ${key}`, `is not a cluster setting (expected ${CONFIG_KEYS.join(', ')})`);
  const o = raw as ClusterOptions;
  if (o.servers && typeof o.servers === 'object')
    for (const [name, s] of Object.entries(o.servers)) {
      const cs = (s as { connectionString?: unknown })?.connectionString;
      if (typeof cs === 'string' && cs.startsWith('env:')) {
        const value = process.env[cs.slice(4)];
        if (!value)
          throw new ValidationError(`${file}: servers.${name}.connectionString`, `environment variable ${cs.slice(4)} is not set`);
        (s as { connectionString: string }).connectionString = value;
      }
    }
  try {
    resolveCluster(o);
  } catch (err) {
    if (err instanceof ValidationError) throw new ValidationError(`${file}: ${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
  return o;
}

async function withCluster<T>(file: string, fn: (c: RotaCluster) => Promise<T>): Promise<T> {
  const cluster = new RotaCluster({ ...readClusterConfig(file), rebalanceMs: 0 });
  try {
    return await fn(cluster);
  } finally {
    await cluster.close();
  }
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('tenant groups over several PostgreSQL servers (docs/cluster.md)');

  cluster
    .command('migrate')
    .description('migrate every group (in parallel, idempotent; run again to finish after a failure)')
    .requiredOption('--config <file>', 'cluster config (JSON: servers, groups, placement, schemaPrefix, ...)')
    .action(async (opts: { config: string }) => {
      await withCluster(opts.config, async (c) => {
        const groups = await c.migrate();
        const applied = groups.filter((g) => g.applied.length > 0);
        for (const g of applied) console.log(`${g.schema} on ${g.server}: applied ${g.applied.join(', ')}`);
        const version = Math.max(...groups.map((g) => g.version));
        console.log(`${groups.length} groups at version ${version} (${applied.length} migrated now)`);
      });
    });

  cluster
    .command('status')
    .description('placement and job counts per queue, summed over every group')
    .requiredOption('--config <file>', 'cluster config')
    .action(async (opts: { config: string }) => {
      await withCluster(opts.config, async (c) => {
        // Where the groups are now (moves update the stored placement), not where the file says.
        await c.refreshPlacement().catch((err: unknown) => console.error(`stored placement not read (${String(err)}); showing the file's`));
        const perServer = new Map<string, number[]>();
        for (const [g, s] of c.placement.entries()) perServer.set(s, [...(perServer.get(s) ?? []), g]);
        for (const [s, gs] of perServer) console.log(`server ${s}: groups ${gs.join(', ')}`);
        // A server down: the other groups' counts, the unreachable ones named, exit code 2.
        const counts = await c.counts().catch((err: unknown) => {
          if (!(err instanceof PartialReadError)) throw err;
          const partial = err as PartialReadError<Awaited<ReturnType<typeof c.counts>>>;
          for (const u of partial.unreachable) console.error(`unreachable: group ${u.group} on server ${u.server} (${u.error})`);
          console.error(`the counts leave out ${partial.unreachable.length} unreachable group(s)`);
          process.exitCode = 2;
          return partial.result;
        });
        for (const r of counts) console.log(`${r.queue.padEnd(24)}${r.state.padEnd(12)}${r.count}`);
      });
    });

  cluster
    .command('move <group> <server>')
    .description("copy a group's schema to another server and drop it at the source; prints the new placement for the config")
    .requiredOption('--config <file>', 'cluster config')
    .action(async (groupText: string, server: string, opts: { config: string }) => {
      const group = int('<group>', { min: 0 })(groupText);
      await withCluster(opts.config, async (c) => {
        const r = await c.moveGroup(group, server);
        const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
        console.log(`moved ${r.schema} to ${server}: ${rows} rows in ${r.durationMs} ms`);
        console.log(`new placement (put it in ${opts.config}): ${JSON.stringify(c.placement)}`);
      });
    });
}

import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { validateSettings } from '../../resilience/breaker-admin.js';
import type { BreakerSettings, BreakerStatus, BreakerTarget } from '../../resilience/breaker-store.js';
import type { Rota } from '../../rota.js';
import { withRota } from '../context.js';
import { int, namingFlags, num } from '../flags.js';

/** Library fields → `rota breaker configure` flags. */
const BREAKER_FLAGS = {
  failureRatio: '--failure-ratio',
  minCalls: '--min-calls',
  windowMs: '--window',
  cooldownMs: '--cooldown',
  maxCooldownMs: '--max-cooldown',
  probes: '--probes',
  probeTimeoutMs: '--probe-timeout',
};

interface TargetOpts {
  dependency?: boolean;
  create?: boolean;
}

/**
 * A queue breaker is only made for a queue that exists (jobs were enqueued to it or a
 * worker works it) or already has a breaker, so a typo does not leave a stray breaker
 * behind; `--create` sets one up ahead. Dependency names are free-form.
 */
async function checkTarget(rota: Rota, name: string, o: TargetOpts): Promise<BreakerTarget> {
  const t = target(name, o);
  if (o.dependency || o.create || (await rota.breakers.get(t)) !== null) return t;
  try {
    await rota.queue(name).info({ tenants: 1 });
  } catch (err) {
    if (err instanceof ValidationError && err.field === 'queue')
      throw new ValidationError(
        '<name>',
        `no queue named ${JSON.stringify(name)}: nothing was enqueued to it and no worker works it ` +
          '(pass --dependency for a dependency breaker, or --create to set up a queue breaker ahead)',
      );
    throw err;
  }
  return t;
}

function target(name: string, o: TargetOpts): BreakerTarget {
  return o.dependency ? { dependency: name } : { queue: name };
}

function line(s: BreakerStatus): string {
  const state = s.forced ? `${s.state} (forced)` : s.state;
  const open = s.openRemainingMs !== null ? `  half-open in ${(s.openRemainingMs / 1000).toFixed(1)} s` : '';
  return [
    `${s.kind}:${s.name}`.padEnd(32),
    state.padEnd(18),
    `${s.failures}/${s.calls} failed`.padEnd(18),
    `ratio ${s.failureRatio} min ${s.minCalls} window ${s.windowMs} ms cooldown ${s.cooldownMs}..${s.maxCooldownMs} ms probes ${s.probes}`,
    open,
  ].join('');
}

/** Runs `fn` with a Rota on DATABASE_URL, then closes it. The actor in history is this CLI's user. */
function asOperator<T>(fn: (rota: Rota) => Promise<T>): Promise<T> {
  return withRota(fn, { workerId: `cli:${userInfo().username}@${hostname()}` });
}

/**
 * `rota breaker list | open | close | reset | configure | history`: operators' control
 * of the cluster-wide circuit breakers. A name is a queue unless --dependency is given.
 */
export function registerBreakerCommands(program: Command): void {
  const cmd = program.command('breaker').description('circuit breakers shared by every worker (queues, or --dependency names)');

  cmd
    .command('list')
    .description('breakers with their state, window and settings, by kind and name')
    .option('--limit <n>', 'breakers per page (1..500)', int('--limit', { min: 1 }), 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON ({ items, nextCursor })')
    .action(async (o: { limit: number; cursor?: string; json?: boolean }) => {
      await asOperator(async (rota) => {
        const page = await rota.admin.breakerPage({ limit: o.limit, cursor: o.cursor });
        if (o.json) console.log(JSON.stringify(page, null, 2));
        else if (page.items.length === 0) console.log('no circuit breakers');
        else for (const s of page.items) console.log(line(s));
        if (!o.json && page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      });
    });

  const force = (action: 'open' | 'close' | 'reset', description: string) =>
    cmd
      .command(`${action} <name>`)
      .description(description)
      .option('--dependency', 'name is a dependency (ctx.breaker(name)), not a queue')
      .option('--create', 'the queue has no jobs or workers yet: create its breaker anyway')
      .option('--reason <text>', 'recorded in the history')
      .action(async (name: string, o: TargetOpts & { reason?: string }) => {
        await asOperator(async (rota) => {
          const s = await rota.breakers[action](await checkTarget(rota, name, o), { reason: o.reason });
          console.log(line(s));
        });
      });
  force('open', 'force open: no jobs claimed (queue) / ctx.breaker rejects (dependency) until close or reset');
  force('close', 'force closed: never opens on failures until reset');
  force('reset', 'back to automatic: closed, window cleared, cooldown back to its first length');

  cmd
    .command('configure <name>')
    .description('create the breaker or change its settings (the ones given)')
    .option('--dependency', 'name is a dependency, not a queue')
    .option('--create', 'the queue has no jobs or workers yet: create its breaker anyway')
    .option('--failure-ratio <r>', 'open when this fraction of calls failed (0 < r <= 1)', num('--failure-ratio'))
    .option('--min-calls <n>', '...and at least this many calls in the window', num('--min-calls'))
    .option('--window <ms>', 'rolling window length', num('--window'))
    .option('--cooldown <ms>', 'first cooldown while open (doubles per failed probe round)', num('--cooldown'))
    .option('--max-cooldown <ms>', 'upper bound of the cooldown', num('--max-cooldown'))
    .option('--probes <n>', 'probe jobs let through while half-open', num('--probes'))
    .option('--probe-timeout <ms>', 'restart a probe round whose results never came', num('--probe-timeout'))
    .action(async (name: string, o: TargetOpts & Record<string, number | undefined>) => {
      const settings: Partial<BreakerSettings> = {};
      const map: Array<[string, keyof BreakerSettings]> = [
        ['failureRatio', 'failureRatio'],
        ['minCalls', 'minCalls'],
        ['window', 'windowMs'],
        ['cooldown', 'cooldownMs'],
        ['maxCooldown', 'maxCooldownMs'],
        ['probes', 'probes'],
        ['probeTimeout', 'probeTimeoutMs'],
      ];
      for (const [flag, key] of map) if (o[flag] !== undefined) settings[key] = o[flag] as number;
      // Settings first: a bad value is reported as such whatever the name.
      await namingFlags(BREAKER_FLAGS, async () => validateSettings(settings));
      await asOperator(async (rota) => {
        const t = await checkTarget(rota, name, o);
        console.log(line(await namingFlags(BREAKER_FLAGS, () => rota.breakers.configure(t, settings))));
      });
    });

  cmd
    .command('history [name]')
    .description('state changes and operator actions, newest first')
    .option('--dependency', 'name is a dependency, not a queue')
    .option('--limit <n>', 'entries', int('--limit', { min: 1 }), 50)
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, o: TargetOpts & { limit: number; json?: boolean }) => {
      await asOperator(async (rota) => {
        const rows = await namingFlags({ limit: '--limit' }, () =>
          rota.breakers.history(name === undefined ? undefined : target(name, o), { limit: o.limit }),
        );
        if (o.json) {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        for (const h of rows) {
          const cooldown = h.cooldownMs === null ? '' : ` cooldown ${h.cooldownMs} ms`;
          console.log(
            `${h.at.toISOString()}  ${`${h.kind}:${h.name}`.padEnd(28)} ${h.from} -> ${h.to}  ${h.reason} (${h.failures}/${h.calls} failed${cooldown}) by ${h.actor}`,
          );
        }
      });
    });
}

import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Alert, AlertRuleInfo, AlertSeverity } from '../../monitor/alerts/types.js';
import { withRota } from '../context.js';

const who = () => `cli:${userInfo().username}@${hostname()}`;

function alertLine(a: Alert): string {
  const age = a.state === 'active' ? `since ${a.firstSeen.toISOString()}` : `resolved ${a.resolvedAt?.toISOString()} by ${a.resolvedBy}`;
  return `#${a.id}  ${a.severity.padEnd(8)} ${a.type.padEnd(22)} ${a.subject.padEnd(24)} x${a.count}  ${age}\n    ${a.message}`;
}

function ruleLine(r: AlertRuleInfo): string {
  const t = Object.entries(r.thresholds)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.rule.padEnd(18)} ${(r.enabled ? 'enabled' : 'disabled').padEnd(9)} ${r.scope.padEnd(8)} ${t}\n    ${r.description}`;
}

/** `--set key=value` (repeatable) into a thresholds object; the library validates keys and values. */
function collect(v: string, acc: Record<string, number>): Record<string, number> {
  const m = /^([A-Za-z]+)=(.+)$/.exec(v);
  if (!m) throw new Error(`--set: expected name=value (got ${v})`);
  const n = Number(m[2]);
  if (!Number.isFinite(n)) throw new Error(`--set ${m[1]}: must be a number (got ${m[2]})`);
  return { ...acc, [m[1] as string]: n };
}

/**
 * `rota alerts [list] | resolve | clear | rules | rule | evaluate | webhook …`: the
 * alerts every process shares through the database.
 */
export function registerAlertCommands(program: Command): void {
  const cmd = program.command('alerts').description('alerts (active and history), alert rules and webhooks');

  cmd
    .command('list', { isDefault: true })
    .description('active alerts (default), or --resolved for the history')
    .option('--resolved', 'the history instead of the active ones')
    .option('--type <type>', 'only this type')
    .option('--limit <n>', 'at most this many (1..500)', (v) => Number(v), 50)
    .option('--json', 'print JSON')
    .action(async (o: { resolved?: boolean; type?: string; limit: number; json?: boolean }) => {
      await withRota(async (rota) => {
        const page = await rota.alerts.list({ state: o.resolved ? 'resolved' : 'active', type: o.type, limit: o.limit });
        if (o.json) console.log(JSON.stringify(page.items, null, 2));
        else if (page.items.length === 0) console.log(o.resolved ? 'no resolved alerts' : 'no active alerts');
        else for (const a of page.items) console.log(alertLine(a));
      });
    });

  cmd
    .command('resolve [id]')
    .description('resolve one active alert by id, or every active alert of --type')
    .option('--type <type>', 'resolve every active alert of this type')
    .action(async (id: string | undefined, o: { type?: string }) => {
      if ((id === undefined) === (o.type === undefined)) throw new Error('give either an alert id or --type, not both');
      await withRota(async (rota) => {
        if (o.type) console.log(`${await rota.alerts.resolveType(o.type, who())} alerts resolved`);
        else {
          const a = await rota.alerts.resolve(id as string, who());
          if (!a) throw new Error(`no active alert ${id}`);
          console.log(alertLine(a));
        }
      });
    });

  cmd
    .command('clear')
    .description('delete resolved alerts (the history)')
    .action(async () => {
      await withRota(async (rota) => console.log(`${await rota.alerts.clear()} resolved alerts deleted`));
    });

  cmd
    .command('rules')
    .description('every rule with its state and thresholds')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withRota(async (rota) => {
        const rules = await rota.alerts.rules();
        if (o.json) console.log(JSON.stringify(rules, null, 2));
        else for (const r of rules) console.log(ruleLine(r));
      });
    });

  cmd
    .command('rule <name>')
    .description('enable, disable or set thresholds of a rule (e.g. rota alerts rule connections --set warningPercent=70)')
    .option('--enable', 'enable the rule')
    .option('--disable', 'disable the rule (its alerts resolve)')
    .option('--set <name=value>', 'a threshold (repeatable)', collect, {})
    .option('--reset', 'back to the defaults')
    .action(async (name: string, o: { enable?: boolean; disable?: boolean; set: Record<string, number>; reset?: boolean }) => {
      if (o.enable && o.disable) throw new Error('--enable and --disable together');
      await withRota(async (rota) => {
        const r = o.reset
          ? await rota.alerts.reset(name)
          : await rota.alerts.configure(name, { enabled: o.enable ? true : o.disable ? false : undefined, thresholds: o.set });
        console.log(ruleLine(r));
      });
    });

  cmd
    .command('evaluate')
    .description('run one evaluation of every rule now (if no other process holds the evaluator lease) and list active alerts')
    .action(async () => {
      await withRota(
        async (rota) => {
          await rota.monitor.evaluate();
          if (!rota.monitor.evaluating) console.log('another process holds the evaluator lease; showing its alerts');
          const page = await rota.alerts.list({ state: 'active' });
          for (const a of page.items) console.log(alertLine(a));
          if (page.items.length === 0) console.log('no active alerts');
        },
        { workerId: who() },
      );
    });

  const hook = cmd.command('webhook').description('webhooks notified of alerts (signed JSON POSTs, delivered as rota jobs)');
  hook
    .command('add <url>')
    .option('--secret <secret>', 'HMAC-SHA256 key (at least 16 characters); receivers verify x-rota-signature with it')
    .option('--min-severity <severity>', 'info, warning or critical', 'warning')
    .action(async (url: string, o: { secret?: string; minSeverity: string }) => {
      await withRota(async (rota) => {
        const w = await rota.alerts.addWebhook({ url, secret: o.secret as string, minSeverity: o.minSeverity as AlertSeverity });
        console.log(`webhook ${w.id} ${w.url} (${w.minSeverity} and above)`);
      });
    });
  hook.command('list').action(async () => {
    await withRota(async (rota) => {
      const hooks = await rota.alerts.webhooks();
      if (hooks.length === 0) console.log('no webhooks');
      for (const w of hooks) console.log(`${w.id}  ${w.url}  ${w.minSeverity}+  ${w.enabled ? 'enabled' : 'disabled'}`);
    });
  });
  hook.command('remove <id>').action(async (id: string) => {
    await withRota(async (rota) => {
      if (!(await rota.alerts.removeWebhook(id))) throw new Error(`no webhook ${id}`);
      console.log(`webhook ${id} removed`);
    });
  });
}

import type { Command } from 'commander';
import type { JobFilter } from '../../admin/filter.js';
import type { JobState, Priority } from '../../types.js';
import { withRota } from '../context.js';

interface FilterFlags {
  queue?: string;
  tenant?: string;
  state?: string;
  priority?: string;
  from?: string;
  to?: string;
  payload?: string;
}

function time(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--${flag}: not a date/time (got ${v}); e.g. 2026-11-29T20:00:00Z`);
  return d;
}

/** The shared filter flags as a JobFilter (rota's validation names the field; the flag has the same name). */
function filterOf(f: FilterFlags): JobFilter {
  let payload: JobFilter['payload'];
  if (f.payload !== undefined) {
    try {
      payload = JSON.parse(f.payload);
    } catch (err) {
      throw new Error(`--payload: not valid JSON (${(err as Error).message})`);
    }
  }
  return {
    queue: f.queue,
    tenant: f.tenant,
    state: f.state?.split(',') as JobState[] | undefined,
    priority: f.priority as Priority | undefined,
    from: time('from', f.from),
    to: time('to', f.to),
    payload,
  };
}

function withFilterFlags(cmd: Command): Command {
  return cmd
    .option('--queue <queue>')
    .option('--tenant <tenant>')
    .option('--state <states>', 'available,scheduled,running,completed,dead,cancelled (comma-separated)')
    .option('--priority <priority>', 'urgent | high | normal | low')
    .option('--from <time>', 'live jobs created / finished jobs finished at or after (ISO 8601)')
    .option('--to <time>', 'live jobs created / finished jobs finished before (ISO 8601)')
    .option('--payload <json>', 'JSON object the payload contains, e.g. \'{"order":7}\'');
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new Error(`--limit: an integer from 1 to 500 (got ${v})`);
  return n;
}

export function registerJobCommands(program: Command): void {
  withFilterFlags(program.command('jobs').description('list and search jobs: live first (newest first), then finished'))
    .option('--limit <n>', 'jobs per page (1..500)', count, 50)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print JSON')
    .action(async (o: FilterFlags & { limit: number; cursor?: string; json?: boolean }) => {
      await withRota(async (rota) => {
        const page = await rota.admin.jobs.list(filterOf(o), { limit: o.limit, cursor: o.cursor });
        if (o.json) return console.log(JSON.stringify(page, null, 2));
        for (const j of page.items)
          console.log(
            [
              j.id,
              j.queue,
              j.tenant,
              j.state,
              j.priority,
              `${j.attempt}/${j.maxAttempts}`,
              (j.finishedAt ?? j.createdAt).toISOString(),
            ].join('\t'),
          );
        if (page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      });
    });

  program
    .command('job <id>')
    .description('one job: payload, result, attempts (worker, start, end, error), logs, progress')
    .action(async (id: string) => {
      await withRota(async (rota) => {
        const job = await rota.admin.jobs.get(id);
        if (!job) throw new Error(`no job ${id}`);
        console.log(JSON.stringify(job, null, 2));
      });
    });

  const bulk = (action: 'retry' | 'cancel' | 'delete', what: string) =>
    withFilterFlags(program.command(`${action} [ids...]`).description(`${what}: the given ids, or every job matching the filter flags`))
      .option('--dry-run', 'only count what the filter matches')
      .action(async (ids: string[], o: FilterFlags & { dryRun?: boolean }) => {
        const filter = filterOf(o);
        const hasFilter = Object.values(filter).some((v) => v !== undefined);
        if (ids.length > 0 && hasFilter) throw new Error('give job ids or filter flags, not both');
        if (ids.length === 0 && !hasFilter) throw new Error('give job ids or at least one filter flag (--queue, --tenant, --state, ...)');
        await withRota(async (rota) => {
          const jobs = rota.admin.jobs;
          if (ids.length > 0) {
            if (o.dryRun) return console.log(`${ids.length} job(s) named; nothing done (--dry-run)`);
            if (action === 'cancel') {
              const r = await jobs.cancel(ids);
              return console.log(`cancelled ${r.cancelled}; asked ${r.requested} running job(s) to stop`);
            }
            const n = action === 'retry' ? await jobs.retry(ids) : await jobs.delete(ids);
            return console.log(`${action === 'retry' ? 'retried' : 'deleted'} ${n} of ${ids.length}`);
          }
          const r = await jobs.bulk(action, filter, { dryRun: o.dryRun });
          console.log(
            o.dryRun
              ? `${r.count} job(s) match; nothing done (--dry-run)`
              : `${action}: ${r.count} job(s)${r.requested ? `; asked ${r.requested} running job(s) to stop` : ''}`,
          );
        });
      });
  bulk('retry', 'retry dead or cancelled jobs now, with fresh attempts');
  bulk('cancel', 'cancel waiting jobs, stop running ones (they end cancelled)');
  bulk('delete', 'delete jobs (live or finished) and their logs');
}

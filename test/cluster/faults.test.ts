import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedServer } from '../../src/db/embedded.js';
import { type EnqueueItem, PartialEnqueueError, PartialReadError, type RotaCluster } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { spawnTs } from '../support/spawn.js';
import { closeAll, makeCluster, RunLog, sleep, sql } from './helpers.js';
import { startServers } from './servers.js';

let servers: EmbeddedServer[];
beforeAll(async () => {
  servers = await startServers(3);
}, 120_000);
afterEach(closeAll);

const tenants = Array.from({ length: 24 }, (_, i) => `t${i}`);

/** How many of `tenants` live in a group placed on server b. */
function bGroupTenants(c: RotaCluster): number {
  return tenants.filter((t) => c.placement[c.groupOf(t)] === 'b').length;
}

/** Completed jobs per group, read from each group's history on its server. */
async function completedIn(schema: string, server: EmbeddedServer): Promise<number> {
  const rows = await sql<{ n: string }>(server, `SELECT count(*) AS n FROM "${schema}".jobs_done WHERE state = 'completed'`);
  return Number(rows[0]?.n);
}

describe('RotaCluster faults', () => {
  it('a server down for 10 s stops only its groups; nothing is lost and nothing runs twice', async () => {
    // No prefetch: a group holds at most twice its share of the process's concurrency
    // claimed (8 over 8 busy groups: 1 each), so what b's groups may still run after b
    // stops is bounded (3 groups × 2 × 2, the bound of the per-group design, holds).
    const c = makeCluster(servers, { schemaPrefix: 'down', rota: { maxPrefetch: 0 } });
    await c.migrate();
    const items: EnqueueItem[] = Array.from({ length: 960 }, (_, i) => ({ payload: { i }, tenant: tenants[i % tenants.length] as string }));
    const ids = (await c.enqueueMany('work', items)).map((r) => r.id);
    const onB = new Set(ids.filter((id) => c.placement[c.groupOfJob(id) as number] === 'b'));
    expect(onB.size).toBeGreaterThan(0);
    const log = new RunLog();
    const w = c.work('work', { concurrency: 8 }, async (job) => {
      await sleep(10);
      log.ran(job.id);
    });
    await c.schedule('nightly', '0 3 * * *', 'work', {});
    await waitFor(() => log.runs.size > 60, 20_000, 'work started');
    const b = servers[1] as EmbeddedServer;
    await b.stop();
    const stoppedAt = Date.now();
    const bRunsAtStop = [...log.runs.keys()].filter((id) => onB.has(id)).length;
    // Enqueues for b's groups fail while the others are written: all or nothing per group only.
    const partial = await c
      .enqueueMany(
        'other',
        tenants.map((t) => ({ payload: {}, tenant: t })),
      )
      .catch((e: unknown) => e);
    expect(partial).toBeInstanceOf(PartialEnqueueError);
    const bGroups = [...new Set(tenants.map((t) => c.groupOf(t)))].filter((g) => c.placement[g] === 'b').sort((x, y) => x - y);
    expect((partial as PartialEnqueueError).failedGroups).toEqual(bGroups);
    (partial as PartialEnqueueError).results.forEach((r, i) => {
      expect(r === null).toBe(c.placement[c.groupOf(tenants[i] as string)] === 'b');
    });
    // Merged reads give what the reachable groups have and name the others.
    const bAll = [0, 1, 2, 3, 4, 5, 6, 7].filter((g) => c.placement[g] === 'b');
    const readErr = (await c.counts().catch((e: unknown) => e)) as PartialReadError<Array<{ queue: string; count: number }>>;
    expect(readErr).toBeInstanceOf(PartialReadError);
    expect(readErr.unreachable.map((u) => u.group)).toEqual(bAll);
    expect(readErr.servers).toEqual(['b']);
    expect(readErr.unreachable.every((u) => u.connection)).toBe(true);
    expect(readErr.result.find((r) => r.queue === 'other')?.count).toBe(tenants.length - bGroupTenants(c));
    const schedErr = (await c.schedules().catch((e: unknown) => e)) as PartialReadError<Array<{ name: string }>>;
    expect(schedErr).toBeInstanceOf(PartialReadError);
    const nightlyOnB = c.placement[c.scheduleGroup('nightly')] === 'b';
    expect(schedErr.result.map((s) => s.name)).toEqual(nightlyOnB ? [] : ['nightly']);
    const infoErr = (await c
      .queue('work')
      .info()
      .catch((e: unknown) => e)) as PartialReadError<{ groups: Array<{ group: number }> }>;
    expect(infoErr).toBeInstanceOf(PartialReadError);
    expect(infoErr.result.groups.map((g) => g.group)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((g) => !bAll.includes(g)));
    // The other servers' groups finish all their jobs while b is down.
    const others = ids.filter((id) => !onB.has(id));
    await waitFor(() => others.every((id) => log.runs.has(id)), 9_000, "the other servers' jobs");
    const bRunsDuring = [...log.runs.keys()].filter((id) => onB.has(id)).length;
    await sleep(Math.max(0, 10_000 - (Date.now() - stoppedAt)));
    // b's groups started nothing new during the outage beyond what their workers had already claimed.
    expect(bRunsDuring - bRunsAtStop).toBeLessThanOrEqual(3 * 2 * 2);
    expect(onB.size - bRunsDuring).toBeGreaterThan(0);
    await b.start();
    await waitFor(() => log.runs.size === ids.length, 30_000, 'every job after the restart');
    let done = 0;
    await waitFor(
      async () => {
        done = 0;
        for (let g = 0; g < 8; g++) done += await completedIn(c.schemaOf(g), servers[g % 3] as EmbeddedServer);
        return done === ids.length;
      },
      20_000,
      'every completion written',
    );
    await w.stop();
    expect(done).toBe(ids.length);
    expect(log.duplicates).toEqual([]);
    // Back up: merged reads are whole again.
    expect((await c.counts()).find((r) => r.queue === 'work' && r.state === 'completed')?.count).toBe(ids.length);
    expect((await c.schedules()).map((s) => s.name)).toEqual(['nightly']);
  });

  it('moves a group to another server while it works: nothing lost, ids keep routing', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'mv' });
    await c.migrate();
    const g = c.groupOf('t5');
    const from = c.placement[g] as string;
    const to = from === 'a' ? 'b' : 'a';
    const idx = (name: string) => name.charCodeAt(0) - 97;
    const items: EnqueueItem[] = Array.from({ length: 800 }, (_, i) => ({
      payload: { i },
      tenant: i % 2 ? 't5' : (tenants[i % tenants.length] as string),
    }));
    const ids = (await c.enqueueMany('work', items)).map((r) => r.id);
    const inG = ids.filter((id) => c.groupOfJob(id) === g);
    const log = new RunLog();
    const w = c.work('work', { concurrency: 2 }, async (job) => {
      await sleep(5);
      log.ran(job.id);
    });
    await waitFor(() => inG.filter((id) => log.runs.has(id)).length > 20, 20_000, 'group g started');
    const moved = await c.moveGroup(g, to);
    expect(moved.tables.jobs ?? 0).toBeGreaterThan(0);
    expect(c.placement[g]).toBe(to);
    const gone = await sql(servers[idx(from)] as EmbeddedServer, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [c.schemaOf(g)]);
    expect(gone).toHaveLength(0);
    // New jobs of the group land on the new server with ids that still name the group, above the old ones.
    const late = await c.enqueue('work', { late: true }, { tenant: 't5' });
    expect(c.groupOfJob(late.id)).toBe(g);
    expect(BigInt(late.id) > BigInt(inG[inG.length - 1] as string)).toBe(true);
    await waitFor(() => log.runs.size === ids.length + 1, 30_000, 'every job');
    await waitFor(async () => (await c.getJob(late.id))?.state === 'completed', 10_000, 'late job completed');
    await w.stop();
    expect(log.duplicates).toEqual([]);
    expect(await completedIn(c.schemaOf(g), servers[idx(to)] as EmbeddedServer)).toBe(inG.length + 1);
    expect((await c.getJob(inG[0] as string))?.state).toBe('completed');
    const counts = await c.counts();
    expect(counts.filter((r) => r.queue === 'work')).toEqual([{ queue: 'work', state: 'completed', count: ids.length + 1 }]);
  });
});

describe('RotaCluster: a second process follows a move made by another', () => {
  it('routes to the new server at once (enqueue, getJob) and moves its workers at its next refresh; nothing is lost', async () => {
    // Short leases: jobs the second process was running when the group left its server
    // are rescued on the new one after the lease (at least once: those may run twice).
    const rota = { leaseMs: 2_000, rescueIntervalMs: 200 };
    const mover = makeCluster(servers, { schemaPrefix: 'follow', rota });
    const other = makeCluster(servers, { schemaPrefix: 'follow', rota, placementRefreshMs: 200 });
    await mover.migrate();
    const g = other.groupOf('t5');
    const from = mover.placement[g] as string;
    const to = from === 'c' ? 'a' : 'c';
    const before = await other.enqueueMany(
      'work',
      Array.from({ length: 300 }, (_, i) => ({ payload: { i }, tenant: i % 3 ? 't5' : (tenants[i % tenants.length] as string) })),
    );
    const log = new RunLog();
    const handler = async (job: { id: string }) => {
      await sleep(5);
      log.ran(job.id);
    };
    const w1 = mover.work('work', { concurrency: 2 }, handler);
    const w2 = other.work('work', { concurrency: 2 }, handler);
    await waitFor(() => log.runs.size > 50, 20_000, 'work started');
    // The other process keeps enqueuing into g during the move: its enqueues wait on the
    // move's locks, find the schema gone, re-read the stored placement and land on the
    // new server.
    let enqueuing = true;
    const during: string[] = [];
    const enqueuer = (async () => {
      while (enqueuing) {
        during.push((await other.enqueue('work', { during: true }, { tenant: 't5' })).id);
        await sleep(2);
      }
    })();
    await mover.moveGroup(g, to);
    await sleep(50);
    enqueuing = false;
    await enqueuer;
    expect(during.length).toBeGreaterThan(0);
    const late = await other.enqueue('work', { late: true }, { tenant: 't5' });
    expect(other.placement[g]).toBe(to);
    expect((await other.getJob(late.id))?.tenant).toBe('t5');
    const ids = [...before.map((r) => r.id), ...during, late.id];
    await waitFor(() => ids.every((id) => log.runs.has(id)), 30_000, 'every job');
    // A job whose run by the other process could not be recorded (its group left) is
    // rescued after its lease and runs again; wait until every job is recorded completed.
    let counts: Array<{ queue: string; state: string; count: number }> = [];
    await waitFor(
      async () => {
        counts = (await mover.counts()).filter((r) => r.queue === 'work');
        return counts.length === 1 && counts[0]?.state === 'completed' && counts[0].count === ids.length;
      },
      20_000,
      `every job completed (${JSON.stringify(counts)})`,
    ).catch(() => {});
    await Promise.all([w1.stop(), w2.stop()]);
    expect(counts).toEqual([{ queue: 'work', state: 'completed', count: ids.length }]);
    // Only jobs of the moved group can have run twice (the other process's in-flight ones).
    for (const id of log.duplicates) expect(mover.groupOfJob(id)).toBe(g);
  });
});

describe('RotaCluster: a worker process dies', () => {
  it('its jobs run again in another process within seconds, not after their lease: its shared LISTEN sessions are how the others see it gone', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'crash' });
    await c.migrate();
    const tenants = Array.from({ length: 16 }, (_, i) => `t${i}`);
    const ids = (
      await c.enqueueMany(
        'hold',
        tenants.map((t) => ({ payload: {}, tenant: t })),
      )
    ).map((r) => r.id);
    const holder = spawnTs('test/cluster/holder-process.ts', {
      CLUSTER_SERVERS: JSON.stringify({ a: servers[0]?.url, b: servers[1]?.url, c: servers[2]?.url }),
      CLUSTER_PREFIX: 'crash',
    });
    await holder.ready;
    // Eight jobs held (concurrency 8 for the process, leases of 30 s).
    const held = () =>
      holder
        .lines()
        .filter((l) => l.startsWith('holding '))
        .map((l) => l.slice(8));
    await waitFor(() => held().length >= 8, 20_000, 'the holder holds a job in every group');
    const victims = held();
    // Its LISTEN connections: one per server, whatever the number of groups.
    for (const s of servers) {
      const rows = await sql<{ n: string }>(s, "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'rota-listener:%'");
      expect(Number(rows[0]?.n)).toBe(1);
    }
    const log = new RunLog();
    const attempts = new Map<string, number>();
    const w = c.work('hold', { concurrency: 4 }, async (job) => {
      attempts.set(job.id, job.attempt);
      log.ran(job.id);
    });
    // Whatever the holder has not claimed runs here meanwhile; what it holds stays with it.
    await new Promise((r) => setTimeout(r, 500));
    expect(victims.some((id) => log.runs.has(id))).toBe(false);
    const leases = new Map<string, Date>();
    for (const id of victims) {
      const g = c.groupOfJob(id) as number;
      const server = servers['abc'.indexOf(c.placement[g] as string)] as EmbeddedServer;
      const rows = await sql<{ lease: Date }>(server, `SELECT lease_expires_at AS lease FROM "${c.schemaOf(g)}".jobs WHERE id = $1`, [id]);
      leases.set(id, rows[0]?.lease as Date);
    }
    holder.kill('SIGKILL');
    await waitFor(() => ids.every((id) => log.runs.has(id)), 40_000, "every job, the dead holder's too");
    for (const id of victims) {
      expect(attempts.get(id)).toBe(2);
      const job = await c.getJob(id);
      // Rescued because the holder's sessions ended, not because its 30 s lease ran out.
      expect(new Date(job?.errors[0]?.at as string).getTime()).toBeLessThan((leases.get(id) as Date).getTime());
    }
    await w.stop();
    expect(log.duplicates).toEqual([]);
  });
});

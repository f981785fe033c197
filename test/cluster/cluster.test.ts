import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedServer } from '../../src/db/embedded.js';
import { ClusterMigrateError, type EnqueueItem, Rota, RotaCluster, ValidationError } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { recordingLogger } from '../support/logger.js';
import { closeAll, makeCluster, RunLog, sleep, sql } from './helpers.js';
import { startServers } from './servers.js';

let servers: EmbeddedServer[];
beforeAll(async () => {
  servers = await startServers(3);
}, 120_000);
afterEach(closeAll);

/** Groups migrated once for the tests that need no fresh schema (each uses its own queue names). */
const SHARED = 'shared';
beforeAll(async () => {
  await makeCluster(servers, { schemaPrefix: SHARED }).migrate();
  await closeAll();
}, 60_000);

const tenants = Array.from({ length: 24 }, (_, i) => `t${i}`);

describe('RotaCluster on 3 servers, 8 groups', () => {
  it('rejects bad configuration naming the field, before opening anything', () => {
    const url = 'postgres://x@127.0.0.1:1/db';
    expect(() => new RotaCluster({ servers: {}, groups: 8 })).toThrow(/^servers:/);
    expect(() => new RotaCluster({ servers: { a: { connectionString: 'nope' } }, groups: 8 })).toThrow(/servers\.a\.connectionString/);
    expect(() => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 0 })).toThrow(/^groups:/);
    expect(() => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, placement: ['a', 'b'] })).toThrow(
      /placement\[1\]/,
    );
    expect(() => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, schemaPrefix: 'Bad-Prefix' })).toThrow(
      /schemaPrefix/,
    );
    expect(() => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, schemaPrefix: 'pg' })).toThrow(/^schemaPrefix:/);
    expect(
      () => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, legacy: { server: 'z', schema: 'rota' } }),
    ).toThrow(ValidationError);
    // The groups' Rota options are checked as a Rota checks them (src/config.ts), naming the option.
    expect(() => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, rota: { maxPayloadBytes: 0 } })).toThrow(
      /maxPayloadBytes/,
    );
    expect(
      () => new RotaCluster({ servers: { a: { connectionString: url } }, groups: 2, sharedRuntime: 'yes' as unknown as boolean }),
    ).toThrow(/^sharedRuntime:/);
  });

  it('migrates every group onto its server, idempotently, with ids that name the group', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'mig' });
    const first = await c.migrate();
    expect(first.map((g) => g.server)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b']);
    expect(first.every((g) => g.applied.length > 0)).toBe(true);
    const again = await c.migrate();
    expect(again.every((g) => g.applied.length === 0)).toBe(true);
    const onB = await sql<{ nspname: string }>(
      servers[1] as EmbeddedServer,
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'mig_g%' ORDER BY 1",
    );
    expect(onB.map((r) => r.nspname)).toEqual(['mig_g001', 'mig_g004', 'mig_g007']);
    // Each group's first id is (g + 1) · 2^48.
    for (const t of ['t1', 't2', 't3']) {
      const { id } = await c.enqueue('q', { t }, { tenant: t });
      expect(c.groupOfJob(id)).toBe(c.groupOf(t));
      expect(BigInt(id) >> 48n).toBe(BigInt(c.groupOf(t) + 1));
      expect((await c.getJob(id))?.tenant).toBe(t);
    }
    expect(await c.getJob('12345')).toBeNull(); // no legacy schema configured
    expect(await c.getJob(String(100n << 48n))).toBeNull(); // a group this cluster does not have
  });

  it('checks every enqueueMany item before any group writes', async () => {
    const c = makeCluster(servers, { schemaPrefix: SHARED });
    const items: EnqueueItem[] = tenants.map((t) => ({ payload: { t }, tenant: t }));
    items[17] = { payload: { t: 'x' }, tenant: 't17', priority: 'soon' as never };
    await expect(c.enqueueMany('bad', items)).rejects.toThrow(/^items\[17\]\.priority:/);
    await expect(c.enqueueMany('bad', [{ payload: 1 }, { payload: 2, tenant: '' }])).rejects.toThrow(/^items\[1\]\.tenant:/);
    await expect(c.enqueue('bad', {}, { tenant: 'a', client: c.pool('a') })).rejects.toThrow(/^opts\.client:/);
    expect((await c.counts()).filter((r) => r.queue === 'bad')).toEqual([]);
  });

  it('resumes a migration that failed half-way', async () => {
    // Server c is unreachable for the first run: its groups fail, the others migrate.
    const broken = new RotaCluster({
      servers: {
        a: { connectionString: (servers[0] as EmbeddedServer).url },
        b: { connectionString: (servers[1] as EmbeddedServer).url },
        c: { connectionString: 'postgres://postgres:rota@127.0.0.1:1/postgres' },
      },
      groups: 6,
      schemaPrefix: 'res',
      logger: recordingLogger(),
    });
    const err = await broken.migrate().catch((e: unknown) => e);
    await broken.close();
    expect(err).toBeInstanceOf(ClusterMigrateError);
    expect((err as ClusterMigrateError).groups.filter((g) => g.error).map((g) => g.group)).toEqual([2, 5]);
    const c = makeCluster(servers, { schemaPrefix: 'res', groups: 6 });
    const done = await c.migrate();
    expect(done.filter((g) => g.applied.length > 0).map((g) => g.group)).toEqual([2, 5]);
  });

  it('runs every job exactly once across groups, merges counts, keeps ids in history', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'once' });
    await c.migrate();
    const items: EnqueueItem[] = [];
    for (let i = 0; i < 1200; i++) items.push({ payload: { i }, tenant: tenants[i % tenants.length] as string });
    const ids = (await c.enqueueMany('work', items)).map((r) => r.id);
    expect(new Set(ids).size).toBe(1200);
    ids.forEach((id, i) => {
      expect(c.groupOfJob(id)).toBe(c.groupOf(items[i]?.tenant as string));
    });
    const single = await c.enqueue('work', { single: true }); // untenanted: tenant 'default'
    expect(c.groupOfJob(single.id)).toBe(c.groupOf('default'));
    const log = new RunLog();
    let completedEvents = 0;
    c.on('job:completed', () => completedEvents++);
    const w = c.work('work', { concurrency: 8 }, async (job) => {
      log.ran(job.id);
    });
    await waitFor(() => log.runs.size === 1201, 30_000, 'all jobs run');
    await waitFor(() => completedEvents === 1201, 10_000, 'job:completed from every group');
    await waitFor(
      async () => (await c.counts()).find((r) => r.queue === 'work' && r.state === 'completed')?.count === 1201,
      10_000,
      'counts',
    );
    await w.stop();
    expect(log.duplicates).toEqual([]);
    const counts = await c.counts();
    expect(counts.filter((r) => r.queue === 'work')).toEqual([{ queue: 'work', state: 'completed', count: 1201 }]);
    const job = await c.getJob(ids[17] as string);
    expect(job?.state).toBe('completed');
    expect(job?.id).toBe(ids[17]);
  });

  it('uses one LISTEN connection and its pool per server however many groups it serves', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'conn', groups: 12 });
    await c.migrate();
    const w = c.work('idle', { concurrency: 4 }, async () => {});
    const count = async (s: EmbeddedServer, app: string) =>
      Number((await sql<{ n: string }>(s, 'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE $1', [app]))[0]?.n);
    await waitFor(async () => (await count(servers[0] as EmbeddedServer, 'rota-listener:%')) === 1, 10_000, 'listener up');
    await sleep(300);
    for (const s of servers) {
      expect(await count(s, 'rota-listener:%')).toBe(1); // 4 groups per server, one LISTEN connection
      expect(await count(s, 'rota')).toBeLessThanOrEqual(4); // the pool (poolSize 4)
    }
    // Notifications reach the right group over the shared connection: a job in each group starts at once.
    const log = new RunLog();
    await w.stop();
    const w2 = c.work('ping', { concurrency: 2 }, async (job) => log.ran(job.id));
    await sleep(200);
    await c.enqueueMany(
      'ping',
      tenants.map((t) => ({ payload: {}, tenant: t })),
    );
    await waitFor(() => log.runs.size === tenants.length, 10_000, 'pings');
    await w2.stop();
  });

  it('spreads groups over worker fleets: each process works only the groups it serves', async () => {
    const c1 = makeCluster(servers, { schemaPrefix: SHARED });
    const c2 = makeCluster(servers, { schemaPrefix: SHARED });
    const ids = (
      await c1.enqueueMany(
        'split',
        tenants.map((t) => ({ payload: {}, tenant: t })),
      )
    ).map((r) => r.id);
    const byProcess = [new RunLog(), new RunLog()];
    const w1 = c1.work('split', { concurrency: 2, groups: [0, 1, 2, 3] }, async (job) => byProcess[0]?.ran(job.id));
    const w2 = c2.work('split', { concurrency: 2, groups: [4, 5, 6, 7] }, async (job) => byProcess[1]?.ran(job.id));
    await waitFor(() => (byProcess[0]?.runs.size ?? 0) + (byProcess[1]?.runs.size ?? 0) === ids.length, 20_000, 'all jobs');
    await Promise.all([w1.stop(), w2.stop()]);
    for (const id of byProcess[0]?.runs.keys() ?? []) expect(c1.groupOfJob(id)).toBeLessThan(4);
    for (const id of byProcess[1]?.runs.keys() ?? []) expect(c1.groupOfJob(id)).toBeGreaterThanOrEqual(4);
    expect(() => c1.work('other', { groups: [8] }, async () => {})).toThrow(/^groups\[0\]:/);
    expect(() => c1.work('other', { groups: [] }, async () => {})).toThrow(/^groups:/);
  });

  it('holds a tenant concurrency limit exactly across two processes', async () => {
    const c1 = makeCluster(servers, { schemaPrefix: SHARED });
    const c2 = makeCluster(servers, { schemaPrefix: SHARED });
    await c1.enqueueMany(
      'lim',
      Array.from({ length: 60 }, (_, i) => ({ payload: { i }, tenant: i % 2 ? 'busy' : 'other' })),
    );
    await c1.tenant('lim', 'busy').configure({ concurrency: 2 });
    const log = new RunLog();
    const handler = async (job: { id: string; tenant: string }) => {
      log.enter(job.tenant);
      await sleep(15);
      log.leave(job.tenant);
      log.ran(job.id);
    };
    const w1 = c1.work('lim', { concurrency: 5 }, handler);
    const w2 = c2.work('lim', { concurrency: 5 }, handler);
    await waitFor(() => log.runs.size === 60, 30_000, 'all run');
    await Promise.all([w1.stop(), w2.stop()]);
    expect(log.maxActive.get('busy')).toBe(2);
    expect(log.duplicates).toEqual([]);
  });

  it('holds a queue-wide concurrency limit across groups and servers (split, rebalanced by demand)', async () => {
    const c1 = makeCluster(servers, { schemaPrefix: SHARED, rebalanceMs: 100 });
    const c2 = makeCluster(servers, { schemaPrefix: SHARED, rebalanceMs: 100 });
    await c1.enqueueMany(
      'wide',
      Array.from({ length: 240 }, (_, i) => ({ payload: { i }, tenant: tenants[i % 6] as string })),
    );
    const info = await c1.queue('wide').configure({ concurrency: 5 });
    expect(info.concurrency).toBe(5);
    expect(info.groups.reduce((a, g) => a + (g.concurrency ?? 0), 0)).toBe(5);
    const log = new RunLog();
    const handler = async (job: { id: string }) => {
      log.enter('all');
      await sleep(10);
      log.leave('all');
      log.ran(job.id);
    };
    const w1 = c1.work('wide', { concurrency: 10 }, handler);
    const w2 = c2.work('wide', { concurrency: 10 }, handler);
    await waitFor(() => log.runs.size === 240, 40_000, 'all run');
    await Promise.all([w1.stop(), w2.stop()]);
    expect(log.maxActive.get('all')).toBeLessThanOrEqual(5);
    expect(log.duplicates).toEqual([]);
    const after = await c1.queue('wide').info();
    expect(after.groups.reduce((a, g) => a + (g.concurrency ?? 0), 0)).toBeLessThanOrEqual(5);
  });

  it('holds a queue-wide rate split over groups: never faster than the rate allows', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'rate', groups: 4, rebalanceMs: 100 });
    await c.migrate();
    const n = 56;
    await c.enqueueMany(
      'paced',
      Array.from({ length: n }, (_, i) => ({ payload: { i }, tenant: tenants[i % 8] as string })),
    );
    // 40 jobs/s, burst 4. Each group gets the same limit over a longer period and a burst
    // of at least 1, so however the shares move, at most 4 groups × 4 tokens start at
    // once and the rest at 40/s in all: n jobs take at least (n - 16) / 40 s.
    const info = await c.queue('paced').configure({ rate: { limit: 40, periodMs: 1_000, burst: 4 } });
    const perSecond = info.groups.reduce((a, g) => a + ((g.rate?.limit ?? 0) * 1000) / (g.rate?.periodMs ?? 1), 0);
    expect(perSecond).toBeCloseTo(40, 5);
    const log = new RunLog();
    const started = Date.now();
    const w = c.work('paced', { concurrency: 8 }, async (job) => log.ran(job.id));
    await waitFor(() => log.runs.size === n, 30_000, 'all paced jobs');
    const took = Date.now() - started;
    await w.stop();
    expect(took).toBeGreaterThanOrEqual(((n - 16) / 40) * 1000);
  });

  it('keeps each schedule in the group its name hashes to', async () => {
    const c = makeCluster(servers, { schemaPrefix: SHARED });
    const names = ['nightly-report', 'hourly-sync', 'cleanup'];
    for (const name of names) await c.schedule(name, '0 3 * * *', 'reports', { name });
    for (const name of names) {
      const g = c.scheduleGroup(name);
      const rows = await sql(
        servers['abc'.indexOf(c.placement[g] as string)] as EmbeddedServer,
        `SELECT name FROM "${c.schemaOf(g)}".schedules`,
      );
      expect(rows).toContainEqual({ name });
    }
    expect((await c.schedules()).map((s) => s.name)).toEqual([...names].sort());
    const fired = await c.trigger('hourly-sync');
    expect(c.groupOfJob(fired.jobId)).toBe(c.scheduleGroup('hourly-sync'));
    expect((await c.getJob(fired.jobId))?.payload).toEqual({ name: 'hourly-sync' });
    expect(await c.unschedule('cleanup')).toBe(true);
    expect((await c.schedules()).map((s) => s.name)).toEqual(['hourly-sync', 'nightly-report']);
  });

  it('reaches jobs of a pre-cluster single-server schema through their old ids', async () => {
    const old = new Rota({ connectionString: (servers[2] as EmbeddedServer).url, schema: 'legacy_app', logger: recordingLogger() });
    await old.migrate();
    const { id } = await old.enqueue('work', { old: true });
    await old.close();
    expect(BigInt(id) < 1n << 48n).toBe(true);
    const c = makeCluster(servers, { schemaPrefix: SHARED, legacy: { server: 'c', schema: 'legacy_app' } });
    expect((await c.getJob(id))?.payload).toEqual({ old: true });
    const log = new RunLog();
    const w = c.work('work', { concurrency: 1 }, async (job) => log.ran(job.id));
    await waitFor(() => log.runs.has(id), 10_000, 'legacy job run');
    await w.stop();
    expect((await c.getJob(id))?.state).toBe('completed');
  });
});

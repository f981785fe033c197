import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedServer } from '../../src/db/embedded.js';
import type { EnqueueItem } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeAll, makeCluster, RunLog, sleep, sql } from './helpers.js';
import { startServers } from './servers.js';

// The shared worker runtime (src/cluster/shared-runtime.ts): one process working a queue
// in 8 groups on 3 servers behaves as one worker with one concurrency budget.

let servers: EmbeddedServer[];
beforeAll(async () => {
  servers = await startServers(3);
}, 120_000);
afterEach(closeAll);

const tenants = Array.from({ length: 24 }, (_, i) => `t${i}`);

const connections = async (s: EmbeddedServer, app: string) =>
  Number((await sql<{ n: string }>(s, 'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE $1', [app]))[0]?.n);

/** A tenant whose group satisfies `pick`. */
function tenantWhere(groupOf: (t: string) => number, prefix: string, pick: (g: number) => boolean): string {
  for (let i = 0; ; i++) if (pick(groupOf(`${prefix}${i}`))) return `${prefix}${i}`;
}

describe('RotaCluster shared worker runtime', () => {
  it('runs every job once across 8 groups on 3 servers, never more than `concurrency` handlers in the process, poolSize + 1 connections per server', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'sh' });
    await c.migrate();
    const items: EnqueueItem[] = Array.from({ length: 1600 }, (_, i) => ({
      payload: { i },
      tenant: tenants[i % tenants.length] as string,
    }));
    const ids = (await c.enqueueMany('work', items)).map((r) => r.id);
    expect(new Set(ids.map((id) => c.groupOfJob(id))).size).toBe(8);
    const log = new RunLog();
    const groupsSeen = new Set<number>();
    const w = c.work('work', { concurrency: 6 }, async (job) => {
      log.enter('all');
      groupsSeen.add(c.groupOfJob(job.id) as number);
      await sleep(job.attempt + (Number(job.id.slice(-1)) % 3));
      log.ran(job.id);
      log.leave('all');
    });
    let sampled = 0;
    while (log.runs.size < ids.length) {
      // While working: each server holds at most its pool (4) and exactly one LISTEN connection.
      for (const s of servers) {
        expect(await connections(s, 'rota')).toBeLessThanOrEqual(4);
        expect(await connections(s, 'rota-listener:%')).toBe(1);
      }
      sampled++;
      await sleep(100);
      if (sampled > 400) throw new Error(`only ${log.runs.size} of ${ids.length} jobs ran`);
    }
    await w.stop();
    expect(log.duplicates).toEqual([]);
    expect(groupsSeen.size).toBe(8);
    // One budget for the process: 6 handlers at most across the 8 groups (per group it would be 48).
    expect(log.maxActive.get('all')).toBe(6);
    const counts = await c.counts();
    expect(counts.filter((r) => r.queue === 'work')).toEqual([{ queue: 'work', state: 'completed', count: ids.length }]);
    // Status batches of several groups of a server went out in one transaction (one commit).
    const writes = Object.values(c.stats().statusWrites);
    const transactions = writes.reduce((a, s) => a + s.transactions, 0);
    const batches = writes.reduce((a, s) => a + s.batches, 0);
    expect(transactions).toBeGreaterThan(0);
    expect(batches).toBeGreaterThan(transactions);
  });

  it('a small tenant in another group is not starved behind a big group backlog (slots go round robin over groups)', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'rr' });
    await c.migrate();
    const groupOf = (t: string) => c.groupOf(t);
    const big = tenantWhere(groupOf, 'big-', () => true);
    const small = tenantWhere(groupOf, 'small-', (g) => g !== groupOf(big));
    let bigDone = 0;
    let smallDone = 0;
    let bigAtSmallEnd = -1;
    const w = c.work('rr', { concurrency: 4 }, async (job) => {
      await sleep(10);
      if (job.tenant === big) bigDone++;
      else if (++smallDone === 8) bigAtSmallEnd = bigDone;
    });
    await c.enqueueMany(
      'rr',
      Array.from({ length: 400 }, (_, i) => ({ payload: { i }, tenant: big })),
    );
    // The big group has claimed a deep buffer (its claims grow while it is alone) and runs.
    await waitFor(() => bigDone >= 20, 20_000, 'the big tenant running');
    const bigAtSmallStart = bigDone;
    await c.enqueueMany(
      'rr',
      Array.from({ length: 8 }, (_, i) => ({ payload: { i }, tenant: small })),
    );
    await waitFor(() => smallDone === 8, 20_000, "the small tenant's jobs");
    await waitFor(() => bigDone === 400, 30_000, "the big tenant's jobs");
    await w.stop();
    // Served by turns: the small group's jobs ran beside the big one's, not after its
    // backlog (which held about 380 jobs when they arrived).
    expect(bigAtSmallEnd - bigAtSmallStart).toBeLessThan(150);
  });

  it('does not poll idle groups every second: a NOTIFY wakes the group that got work', async () => {
    // The cluster's default fallback poll (5 s), not the tests' 50 ms.
    const c = makeCluster(servers, { schemaPrefix: 'idle', rota: { pollIntervalMs: undefined } });
    await c.migrate();
    const log = new RunLog();
    const w = c.work('quiet', { concurrency: 4 }, async (job) => log.ran(job.id));
    const claims = () => Object.values(c.stats().groups).reduce((a, g) => a + g.claims, 0);
    await waitFor(() => Object.keys(c.stats().groups).length === 8 && claims() >= 8, 10_000, 'first claims');
    const before = claims();
    await sleep(2_500);
    // 8 idle groups for 2.5 s: at 1 s polling that is 16 claims or more; at 5 s, at most one round.
    expect(claims() - before).toBeLessThanOrEqual(8);
    const t = tenants[5] as string;
    const { id } = await c.enqueue('quiet', {}, { tenant: t });
    await waitFor(() => log.runs.has(id), 3_000, 'the job, woken by its NOTIFY (long before the 5 s poll)');
    await w.stop();
  });

  it('sharedRuntime: false keeps the earlier design: concurrency per group', async () => {
    const c = makeCluster(servers, { schemaPrefix: 'pgd', sharedRuntime: false });
    await c.migrate();
    const ids = (
      await c.enqueueMany(
        'pg',
        Array.from({ length: 160 }, (_, i) => ({ payload: { i }, tenant: tenants[i % tenants.length] as string })),
      )
    ).map((r) => r.id);
    const log = new RunLog();
    const w = c.work('pg', { concurrency: 1 }, async (job) => {
      log.enter('all');
      await sleep(20);
      log.ran(job.id);
      log.leave('all');
    });
    await waitFor(() => log.runs.size === ids.length, 30_000, 'all jobs');
    await w.stop();
    expect(log.duplicates).toEqual([]);
    expect(log.maxActive.get('all')).toBeGreaterThan(1);
    expect(c.stats().statusWrites).toEqual({});
  });
});

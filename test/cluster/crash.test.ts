import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedServer } from '../../src/db/embedded.js';
import { waitFor } from '../support/db.js';
import { spawnTs } from '../support/spawn.js';
import { closeAll, makeCluster, RunLog, sql } from './helpers.js';
import { startServers } from './servers.js';

let servers: EmbeddedServer[];
beforeAll(async () => {
  servers = await startServers(2);
}, 120_000);
afterEach(closeAll);

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
      CLUSTER_SERVERS: JSON.stringify({ a: servers[0]?.url, b: servers[1]?.url }),
      CLUSTER_PREFIX: 'crash',
    });
    await holder.ready;
    // One job per group held (concurrency 1 in each of 8 groups, leases of 30 s).
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
      const server = servers['ab'.indexOf(c.placement[g] as string)] as EmbeddedServer;
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

/**
 * The database goes away mid-run and comes back, with real worker processes. This
 * file starts its own PostgreSQL server: the shared one must never stop.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { DatabaseUnavailableError } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { type Spawned, spawnTs } from '../support/spawn.js';
import { makeRota, sleep } from './helpers.js';

let server: EmbeddedServer;

beforeAll(async () => {
  server = await startEmbeddedPostgres({ settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
}, 120_000);

afterAll(async () => {
  await server?.destroy();
}, 60_000);

/** Warning lines a worker printed, by message. */
function warnings(p: Spawned): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of p.output().split('\n')) {
    if (!line.startsWith('{"level":40')) continue;
    const msg = (JSON.parse(line) as { msg: string }).msg;
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return counts;
}

describe('database outage with worker processes', () => {
  it('workers ride out a restart longer than their lease, one of them back late: nothing lost, nothing run twice, no crash, one warning per part', async () => {
    const admin = makeRota(server.url);
    await admin.migrate();
    const queue = 'outage';
    const total = 3_000;
    await admin.enqueueMany(
      queue,
      Array.from({ length: total }, (_, i) => ({ payload: { i } })),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rota-outage-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const runs = join(dir, 'runs');
    const workers = [1, 2].map(() =>
      spawnTs('harness/worker-process.ts', {
        DATABASE_URL: server.url,
        QUEUE: queue,
        CONCURRENCY: '10',
        JOB_MS: '3',
        RUNS_FILE: runs,
        // A 2 s lease: every lease expires during the outage.
        ROTA_OPTIONS: JSON.stringify({ leaseMs: 2_000, rescueIntervalMs: 300, pollIntervalMs: 200 }),
      }),
    );
    // Whatever happens below, no worker of this test outlives it (a timed-out test must
    // not leave them running into the next one).
    onTestFinished(() => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    });
    await Promise.all(workers.map((w) => w.ready));
    const completed = async () => {
      const c = await admin.counts();
      return c.find((x) => x.queue === queue && x.state === 'completed')?.count ?? 0;
    };
    await waitFor(async () => (await completed()) >= total / 5, 60_000, 'the run to be under way');

    // The second worker comes back late, as a worker still in its listener's reconnect
    // backoff (up to 5 s) does: frozen through the restart and 3 s after it. It is alive;
    // the first worker must not take it for dead meanwhile.
    const late = workers[1] as Spawned;
    late.child.kill('SIGSTOP');
    await server.stop();
    const refused = await admin.enqueue(queue, { during: 'outage' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DatabaseUnavailableError);
    expect((refused as DatabaseUnavailableError).retryable).toBe(true);
    // With enqueueTimeoutMs the call waits for the database instead.
    const patient = makeRota(server.url, { enqueueTimeoutMs: 60_000 });
    const waited = patient.enqueue(queue, { during: 'outage, waited' });
    await sleep(4_000);
    await server.start();
    await sleep(3_000);
    late.child.kill('SIGCONT');
    const { id } = await waited;
    expect(id).toMatch(/^\d+$/);

    await waitFor(async () => (await completed()) === total + 1, 90_000, 'every job to complete');
    const c = await admin.counts();
    expect(c.filter((x) => x.queue === queue && x.state !== 'completed')).toEqual([]);
    // No status update was lost: a lost completion would have let the job be rescued and run again.
    // Neither live worker took the other for dead after the restart: a listener still in
    // its reconnect backoff (up to 5 s) is not a dead process, and an expired lease of a
    // connected worker is renewed by its heartbeat before anyone rescues it.
    for (const w of workers) {
      const warned = warnings(w);
      expect(warned.get('worker process gone (its sessions ended): its jobs rescued'), w.output().slice(-3000)).toBeUndefined();
      expect(warned.get('rescued jobs whose lease expired'), w.output().slice(-3000)).toBeUndefined();
    }
    const ids = readFileSync(runs, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(ids).toHaveLength(total + 1);
    expect(new Set(ids).size).toBe(total + 1);
    // Both workers are alive and logged each kind of trouble once, not once per retry.
    for (const w of workers) {
      expect(w.child.exitCode).toBeNull();
      const warned = warnings(w);
      for (const [msg, n] of warned) expect(n, `${msg}\n${w.output().slice(-2000)}`).toBeLessThanOrEqual(3);
      expect([...warned.values()].reduce((a, b) => a + b, 0)).toBeLessThan(30);
    }
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }, 180_000);

  it('a worker frozen for longer than its lease renews its own leases when it wakes instead of rescuing (and rerunning) its own jobs', async () => {
    const admin = makeRota(server.url);
    await admin.migrate();
    const queue = 'frozen';
    const total = 30;
    await admin.enqueueMany(
      queue,
      Array.from({ length: total }, (_, i) => ({ payload: { i } })),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rota-frozen-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const runs = join(dir, 'runs');
    const ran = () => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean) : []);
    const w = spawnTs('harness/worker-process.ts', {
      DATABASE_URL: server.url,
      QUEUE: queue,
      CONCURRENCY: '10',
      JOB_MS: '400',
      RUNS_FILE: runs,
      ROTA_OPTIONS: JSON.stringify({ leaseMs: 1_000, rescueIntervalMs: 100, pollIntervalMs: 100 }),
    });
    onTestFinished(() => {
      if (w.child.exitCode === null) w.child.kill('SIGKILL');
    });
    await w.ready;
    await waitFor(async () => ran().length >= 5, 30_000, 'the first jobs to finish');
    // Frozen with jobs running and buffered: every lease it holds expires meanwhile.
    w.child.kill('SIGSTOP');
    await sleep(2_500);
    w.child.kill('SIGCONT');
    await waitFor(
      async () => (await admin.counts()).find((x) => x.queue === queue && x.state === 'completed')?.count === total,
      60_000,
      'every job to complete',
    );
    const ids = ran().map((l) => l.split(' ')[0]);
    expect(new Set(ids).size).toBe(total);
    const notes = w
      .output()
      .split('\n')
      .filter((l) => !l.includes('lease lost'))
      .join('\n');
    expect(ids, notes.slice(-3000)).toHaveLength(total);
    expect(warnings(w).get('rescued jobs whose lease expired')).toBeUndefined();
    w.child.kill('SIGTERM');
    await w.exited;
    await admin.close();
  }, 180_000);
});

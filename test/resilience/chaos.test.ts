/**
 * A slim version of the chaos suite (the full one, which measures: `npm run chaos`):
 * real worker processes (harness/worker-process.ts) SIGKILLed mid-run. This file
 * asserts only the invariants: no job lost, every job a killed worker held runs again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRuns } from '../../harness/runs.js';
import { type Proc, stopProcs } from '../../harness/spawn.js';
import { freshDatabase, waitFor } from '../support/db.js';
import { makeRota } from '../support/rota.js';
import { spawnTs } from '../support/spawn.js';

const db = await freshDatabase();
const rota = makeRota(db.url);
await rota.migrate();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const runsDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'rota-chaos-test-'));
  dirs.push(d);
  return d;
};

/** A worker process recording every run start in `${dir}/${id}`. */
function worker(dir: string, id: string, queue: string, extra: Record<string, string> = {}): Proc {
  return spawnTs('harness/worker-process.ts', {
    DATABASE_URL: db.url,
    QUEUE: queue,
    RUNS_FILE: join(dir, id),
    ROTA_OPTIONS: JSON.stringify({ workerId: id, leaseMs: 2_000, rescueIntervalMs: 300, pollIntervalMs: 100 }),
    ...extra,
  });
}

async function counts(queue: string): Promise<{ live: number; completed: number; dead: number }> {
  const r = await db.sql.query(
    `SELECT (SELECT count(*) FROM rota.jobs WHERE queue = $1)::int AS live,
            (SELECT count(*) FROM rota.jobs_done WHERE queue = $1 AND state = 'completed')::int AS completed,
            (SELECT count(*) FROM rota.jobs_done WHERE queue = $1 AND state = 'dead')::int AS dead`,
    [queue],
  );
  return r.rows[0];
}

describe('chaos (slim)', () => {
  it('SIGKILL storm: workers killed at random and restarted lose no job', async () => {
    const queue = 'storm';
    const total = 3_000;
    const dir = runsDir();
    const ids = (
      await rota.enqueueMany(
        queue,
        Array.from({ length: total }, (_, i) => ({ payload: { i }, maxAttempts: 50 })),
      )
    ).map((r) => r.id);
    let gen = 0;
    const start = (slot: number) => worker(dir, `w${slot}-g${gen++}`, queue, { JOB_MS: '20' });
    const procs = [start(0), start(1)];
    const all = [...procs];
    await Promise.all(procs.map((p) => p.ready));
    let kills = 0;
    let done = false;
    const killer = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 600 + Math.random() * 600));
        if (done) break;
        const slot = Math.floor(Math.random() * procs.length);
        (procs[slot] as Proc).kill('SIGKILL');
        await (procs[slot] as Proc).exited;
        kills++;
        procs[slot] = start(slot);
        all.push(procs[slot] as Proc);
        await (procs[slot] as Proc).ready.catch(() => {});
      }
    })();
    try {
      await waitFor(async () => (await counts(queue)).live === 0, 180_000, 'the backlog to burn down');
    } finally {
      done = true;
      await killer;
      await stopProcs(all, 10_000);
    }
    expect(kills).toBeGreaterThan(0);
    expect(await counts(queue)).toEqual({ live: 0, completed: total, dead: 0 });
    // Every job ran at least once: a completion is always preceded by its recorded run.
    const ran = new Set(readRuns(dir).map((r) => r.job));
    expect(ids.filter((id) => !ran.has(id))).toEqual([]);
  });

  it('a worker SIGKILLed while holding running and buffered jobs: every one of them runs again elsewhere', async () => {
    const queue = 'recovery';
    const dir = runsDir();
    // A 5 s lease: what the victim held is read after the kill, well before any rescue.
    const options = (id: string) => JSON.stringify({ workerId: id, leaseMs: 5_000, rescueIntervalMs: 300, pollIntervalMs: 100 });
    const victim = worker(dir, 'victim', queue, { CONCURRENCY: '3', ROTA_OPTIONS: options('victim') });
    let rescuer: Proc | null = null;
    try {
      await victim.ready;
      // Fast jobs first, then hanging ones at low priority: the victim reaches them while
      // its completion rate is high, so it holds a buffer besides the running ones.
      await rota.enqueueMany(
        queue,
        Array.from({ length: 2_000 }, () => ({ payload: { ms: 0 } })),
      );
      const hanging = await rota.enqueueMany(
        queue,
        Array.from({ length: 20 }, () => ({ payload: { ms: 3_600_000 }, priority: 'low' as const })),
      );
      const hangingIds = new Set(hanging.map((r) => r.id));
      const startedByVictim = () =>
        new Set(
          readRuns(dir)
            .filter((r) => r.worker === 'victim' && hangingIds.has(r.job))
            .map((r) => r.job),
        );
      await waitFor(() => startedByVictim().size >= 3, 120_000, 'the victim to run hanging jobs');
      rescuer = worker(dir, 'rescuer', queue, {
        CONCURRENCY: '20',
        IGNORE_PAYLOAD_MS: '1',
        ROTA_OPTIONS: options('rescuer'),
      });
      await rescuer.ready;
      victim.kill('SIGKILL');
      await victim.exited;
      // Read after the kill: the victim can no longer finish any of them itself.
      const held = (
        await db.sql.query<{ id: string }>(`SELECT id FROM rota.jobs WHERE queue = $1 AND locked_by = 'victim'`, [queue])
      ).rows.map((r) => r.id);
      const running = startedByVictim();
      expect(held.filter((id) => running.has(id)).length).toBeGreaterThan(0);

      await waitFor(async () => (await counts(queue)).live === 0, 60_000, 'the held jobs to run again');
      const rerun = new Set(
        readRuns(dir)
          .filter((r) => r.worker === 'rescuer')
          .map((r) => r.job),
      );
      expect(held.filter((id) => !rerun.has(id))).toEqual([]);
    } finally {
      await stopProcs(rescuer ? [victim, rescuer] : [victim], 5_000);
    }
  });
});

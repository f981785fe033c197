import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { type Spawned, spawnTs } from '../support/spawn.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const db = await migratedDatabase();
const client = makeRota(db.url);

async function states(queue: string): Promise<Record<string, number>> {
  const res = await db.sql.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM (
       SELECT state::text FROM rota.jobs WHERE queue = $1
       UNION ALL SELECT state::text FROM rota.jobs_done WHERE queue = $1) j GROUP BY state`,
    [queue],
  );
  return Object.fromEntries(res.rows.map((r) => [r.state, r.n]));
}

/** Enqueues 3 slow jobs, waits until all 3 run in `proc`, signals it, and checks the drain. */
async function drainOnSignal(proc: Spawned, queue: string, signal: NodeJS.Signals): Promise<void> {
  const ids = (await client.enqueueMany(queue, [{ payload: 1 }, { payload: 2 }, { payload: 3 }])).map((r) => r.id);
  await waitFor(async () => (await states(queue)).running === 3, 20_000, 'three running jobs');
  const pid = proc.child.pid as number;
  proc.child.kill(signal);
  expect(await proc.exited).toBe(0);
  // Every in-flight job finished on its first attempt: nothing left running, nothing re-run.
  expect(await states(queue)).toEqual({ completed: 3 });
  for (const id of ids) {
    const job = await client.getJob(id);
    expect(job?.state).toBe('completed');
    expect(job?.attempt).toBe(1);
  }
  const workers = await db.sql.query('SELECT 1 FROM rota.workers WHERE pid = $1', [pid]);
  expect(workers.rowCount).toBe(0);
}

describe('signals', () => {
  it('importing rota installs no signal handler, and an app that drains on SIGTERM exits 0 with its jobs completed', async () => {
    const app = spawnTs('test/fixtures/drain-app.ts', { DATABASE_URL: db.url, QUEUE: 'app-term' });
    await app.ready;
    expect(app.output()).toContain('listeners SIGTERM=0 SIGINT=0');
    await drainOnSignal(app, 'app-term', 'SIGTERM');
    expect(app.output()).toContain('drained');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('`rota worker` drains on %s and exits 0', async (signal) => {
    const queue = 'drain';
    await db.sql.query("DELETE FROM rota.jobs_done WHERE queue = 'drain'");
    const worker = spawnTs('src/cli/main.ts', { DATABASE_URL: db.url }, ['worker', '--module', 'test/fixtures/slow-handlers.ts']);
    await drainOnSignal(worker, queue, signal);
    expect(worker.output()).toContain('shutting down gracefully');
  });

  it('`npm start` stopped with Ctrl-C prints the whole summary, exits 0 and leaves no database folder', async () => {
    // A terminal's Ctrl-C signals the whole foreground process group: npm, tsx, node (and,
    // before, the embedded database too). Start the demo as its own group and signal that.
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const demo = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    demo.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    demo.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => (out.match(/processed\/s/g) ?? []).length >= 3, 60_000, 'three progress lines');
      process.kill(-(demo.pid as number), 'SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (demo.exitCode === null && demo.signalCode === null) process.kill(-(demo.pid as number), 'SIGKILL');
    }
    expect(out).toContain('summary after');
    expect(out).toMatch(/ingest +completed +\d+/);
    expect(err).not.toMatch(/warn|error|exception/i);
    const dir = /in (\S+) \(deleted on exit\)/.exec(out)?.[1];
    expect(dir).toBeTruthy();
    expect(existsSync(dir as string)).toBe(false);
  });
});

/**
 * Crash recovery (issue #9): a worker process (concurrency 10, default settings, lease
 * 30 s) holds 20 jobs whose first attempt never ends, 10 running and 10 buffered; then a
 * second worker process with default settings starts. The first is SIGKILLed: time from the kill until
 * every job it held has started again (attempt 2), polled every 5 ms in the database.
 * `--only recovery [--runs N]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { REPO_ROOT } from './child.js';
import { engineChild } from './engine-lib.js';
import { type BenchServer, databaseName, dropDatabase, median, printTable, type Row, sleep } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'recovery';

function holder(url: string, victim: boolean): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/engine-child.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ENGINE_DB_URL: url, ENGINE_MODE: 'hold', ENGINE_VICTIM: victim ? '1' : '0', ENGINE_CONCURRENCY: '10' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`holder exited (${code}) before ready`)));
  });
  ready.catch(() => {});
  return { child, ready };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const rows: Row[] = [];
  const times: number[] = [];
  for (let round = 0; round < opts.runs; round++) {
    console.error(`recovery: round ${round + 1}/${opts.runs}`);
    const url = await server.freshDatabase('recovery');
    await engineChild({ ENGINE_DB_URL: url, ENGINE_MODE: 'setup', ENGINE_JOBS: 0 });
    const sql = new pg.Client(url);
    await sql.connect();
    const victim = holder(url, true);
    let survivor: ReturnType<typeof holder> | null = null;
    try {
      await victim.ready;
      // Only the victim works while the jobs arrive, so it holds them all: 10 running, the rest buffered.
      await sql.query(
        `INSERT INTO rota.jobs (queue, tenant, payload) SELECT 'bench', 'default', jsonb_build_object('i', i) FROM generate_series(1, 20) i`,
      );
      const pid = victim.child.pid as number;
      const victimHeld = async () =>
        (
          await sql.query<{ id: string }>("SELECT id::text FROM rota.jobs WHERE state = 'running' AND locked_by LIKE $1", [`%:${pid}:%`])
        ).rows.map((r) => r.id);
      await until(async () => (await victimHeld()).length >= 20, 10_000);
      survivor = holder(url, false);
      await survivor.ready;
      await until(
        async () => ((await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM rota.workers')).rows[0]?.n ?? 0) >= 2,
        10_000,
      );
      const held = await victimHeld();
      const t0 = performance.now();
      victim.child.kill('SIGKILL');
      const rerun = async () => {
        const r = await sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT id, attempt FROM rota.jobs UNION ALL SELECT id, attempt FROM rota.jobs_done) j
            WHERE j.id = ANY($1::bigint[]) AND j.attempt >= 2`,
          [held],
        );
        return (r.rows[0]?.n ?? 0) === held.length;
      };
      const ok = await until(rerun, 60_000);
      const ms = performance.now() - t0;
      if (ok) times.push(ms);
      rows.push({
        round: round + 1,
        'jobs the victim held': held.length,
        'kill → every one started again, ms': ok ? Math.round(ms) : 'not within 60 s',
      });
    } finally {
      victim.child.kill('SIGKILL');
      survivor?.child.kill('SIGKILL');
      await sql.end();
      await sleep(200);
      await dropDatabase(server.adminUrl, databaseName(url));
    }
  }
  if (times.length > 0)
    rows.push({ round: 'median', 'jobs the victim held': '', 'kill → every one started again, ms': Math.round(median(times)) });
  printTable("Crash recovery: a SIGKILLed worker's jobs (default 30 s lease) run again on the surviving worker", rows);
}

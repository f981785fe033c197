/** Helpers shared by the chaos scenarios: databases, bulk enqueue, job counts, polling. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EnqueueItem, type Logger, Rota } from '../src/index.js';

/** Returns the URL of a new, empty database. */
export type NewDatabase = () => Promise<string>;

/** Progress lines (the runner prints them; tests drop them). */
export type Say = (line: string) => void;

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** A folder for run records and worker logs, removed on exit unless ROTA_CHAOS_KEEP=1. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rota-chaos-${prefix}-`));
  if (process.env.ROTA_CHAOS_KEEP !== '1') process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A migrated database and a client Rota on it (closed by `close`). */
export interface ChaosDb {
  url: string;
  rota: Rota;
  sql: pg.Pool;
  close(): Promise<void>;
}

export async function chaosDatabase(newDatabase: NewDatabase, opts: { enqueueTimeoutMs?: number } = {}): Promise<ChaosDb> {
  const url = await newDatabase();
  const rota = new Rota({ connectionString: url, logger: silentLogger, ...opts });
  await rota.migrate();
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  // Scenarios stop the server: a dropped idle connection must not end the runner.
  sql.on('error', () => {});
  return {
    url,
    rota,
    sql,
    async close() {
      await rota.close();
      await sql.end();
    },
  };
}

export async function enqueueBulk(rota: Rota, queue: string, n: number, item: (i: number) => EnqueueItem): Promise<void> {
  for (let i = 0; i < n; i += 5_000) {
    const size = Math.min(5_000, n - i);
    await rota.enqueueMany(
      queue,
      Array.from({ length: size }, (_, k) => item(i + k)),
    );
  }
}

export interface JobCounts {
  live: number;
  completed: number;
  dead: number;
}

export async function jobCounts(sql: pg.Pool, queue: string): Promise<JobCounts> {
  const r = await sql.query<JobCounts>(
    `SELECT (SELECT count(*) FROM rota.jobs WHERE queue = $1)::int AS live,
            (SELECT count(*) FROM rota.jobs_done WHERE queue = $1 AND state = 'completed')::int AS completed,
            (SELECT count(*) FROM rota.jobs_done WHERE queue = $1 AND state = 'dead')::int AS dead`,
    [queue],
  );
  return r.rows[0] as JobCounts;
}

/** Polls until `check` is truthy; errors (the database being away) count as "not yet". */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await Promise.resolve()
      .then(check)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`chaos: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Jobs of a queue that never reached a final state, or vanished: enqueued − finished. */
export async function lostJobs(sql: pg.Pool, queue: string, enqueued: number): Promise<number> {
  const c = await jobCounts(sql, queue);
  return enqueued - c.completed - c.dead;
}

export function maxOf(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

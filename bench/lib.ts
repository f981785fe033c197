/**
 * Shared benchmark harness: a fresh embedded PostgreSQL per benchmark run (or
 * DATABASE_URL), a fresh database per scenario, medians over repeated runs, and a
 * printed table. Benchmarks print what they measured; nothing here asserts.
 */
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded.js';
import { PROBE_APP } from './proc/protocol.js';

export { maxOverlap, median, percentile } from '../harness/stats.js';

export interface BenchServer {
  adminUrl: string;
  /** Creates a new empty database and returns its URL. */
  freshDatabase(prefix?: string): Promise<string>;
  close(): Promise<void>;
}

let counter = 0;

/** Default server settings: PostgreSQL defaults (fsync on) so figures mean what they say. */
export async function startBenchServer(): Promise<BenchServer> {
  let server: EmbeddedServer | null = null;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
    adminUrl = server.url;
  }
  const url = adminUrl;
  return {
    adminUrl: url,
    async freshDatabase(prefix = 'bench') {
      const name = `${prefix}_${process.pid}_${++counter}`;
      const c = new pg.Client(url);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      const u = new URL(url);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async close() {
      await server?.destroy();
    },
  };
}

/** Sum of xact_commit + xact_rollback for a database (read it after clients disconnect). */
export async function transactions(url: string): Promise<number> {
  const c = new pg.Client(url);
  await c.connect();
  // pg_stat_database is updated when backends report; force the current snapshot.
  await c.query('SELECT pg_stat_clear_snapshot()');
  const r = await c.query<{ n: string }>(
    'SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  await c.end();
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Sum of xact_commit + xact_rollback for `database`, read from the admin database so
 * the reading itself is not counted. Read it after the clients disconnected
 * (waitForNoClients): a backend reports its last transactions as it exits.
 */
export async function databaseTransactions(adminUrl: string, database: string): Promise<number> {
  const c = new pg.Client(adminUrl);
  await c.connect();
  try {
    const read = async () => {
      await c.query('SELECT pg_stat_clear_snapshot()');
      const r = await c.query<{ n: string }>('SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1', [
        database,
      ]);
      return Number(r.rows[0]?.n ?? 0);
    };
    // An exiting backend leaves pg_stat_activity a moment before its statistics land.
    let last = await read();
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      const now = await read();
      if (now === last) break;
      last = now;
    }
    return last;
  } finally {
    await c.end();
  }
}

/** Client connections to `database` (not background workers, not the benchmark's own probe). */
const CLIENTS_SQL = `SELECT count(*)::int AS n FROM pg_stat_activity
  WHERE datname = $1 AND backend_type = 'client backend' AND application_name <> '${PROBE_APP}'`;

/** Waits until no client is connected to `database` (children disconnect asynchronously). */
export async function waitForNoClients(adminUrl: string, database: string, timeoutMs = 10_000): Promise<void> {
  const c = new pg.Client(adminUrl);
  await c.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const r = await c.query<{ n: number }>(CLIENTS_SQL, [database]);
      if ((r.rows[0]?.n ?? 0) === 0) return;
      await sleep(20);
    }
  } finally {
    await c.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const c = new pg.Client(adminUrl);
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/**
 * Samples the number of client connections to `database` every `everyMs` until
 * stopped; returns the peak. Background workers (autovacuum) and the benchmark's own
 * probe connection are not counted.
 */
export function sampleConnections(adminUrl: string, database: string, everyMs = 20): { stop(): Promise<number> } {
  const c = new pg.Client(adminUrl);
  let peak = 0;
  let running = true;
  const loop = (async () => {
    await c.connect();
    while (running) {
      const r = await c.query<{ n: number }>(CLIENTS_SQL, [database]);
      peak = Math.max(peak, r.rows[0]?.n ?? 0);
      await sleep(everyMs);
    }
    await c.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export type Row = Record<string, string | number>;

/** Prints rows as a Markdown table (so it can be pasted into the README). */
export function printTable(title: string, rows: Row[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: string | number | undefined) =>
    v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 0)) : v;
  console.log(`\n### ${title}\n`);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`| ${cols.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |`);
}

export function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

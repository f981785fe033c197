// enqueueMany of JOBS jobs (one call; chunks of 5,000 in one transaction) with this tree's
// rota and another checkout's (BASE_DIR), alternating, ROUNDS rounds, each on a fresh
// database: the named enqueue statement (src/client/enqueue.ts) must not slow bulk inserts.
//   BASE_DIR=/tmp/base JOBS=100000 ROUNDS=4 npx tsx bench/experiments/lat-bulk.ts
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { median, printTable, type Row } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');
type RotaCtor = typeof import('../../src/index.js').Rota;
const load = async (dir: string) => ((await import(pathToFileURL(join(resolve(dir), 'src/index.ts')).href)) as { Rota: RotaCtor }).Rota;
const variants: Array<[string, RotaCtor]> = [
  ['base', await load(BASE)],
  ['this tree', await load('.')],
];
const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const admin = new pg.Client(server.url);
  await admin.connect();
  const rows: Row[] = [];
  const rates: Record<string, number[]> = { base: [], 'this tree': [] };
  let n = 0;
  const items = Array.from({ length: JOBS }, (_, i) => ({ payload: { i } }));
  for (let round = 1; round <= ROUNDS; round++) {
    const row: Row = { round };
    for (const [label, Rota] of round % 2 ? variants : [...variants].reverse()) {
      const db = `bulk_${n++}`;
      await admin.query(`CREATE DATABASE ${db}`);
      const rota = new Rota({ connectionString: server.urlFor(db) });
      await rota.migrate();
      await rota.enqueue('warm', { i: 0 });
      const t0 = performance.now();
      await rota.enqueueMany('q', items);
      const rate = JOBS / ((performance.now() - t0) / 1000);
      await rota.close();
      await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
      row[`${label} jobs/s`] = rate;
      rates[label]?.push(rate);
    }
    row['this tree ÷ base'] = `${((row['this tree jobs/s'] as number) / (row['base jobs/s'] as number)).toFixed(2)}×`;
    rows.push(row);
  }
  await admin.end();
  printTable(
    `enqueueMany of ${JOBS} jobs, base (${BASE}) against this tree (load ${(await import('node:os')).loadavg()[0]?.toFixed(1)})`,
    rows,
  );
  console.log(`median jobs/s: base ${median(rates.base ?? []).toFixed(0)}, this tree ${median(rates['this tree'] ?? []).toFixed(0)}`);
} finally {
  await server.destroy();
}

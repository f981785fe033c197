// Where a claim's time goes outside its three statements (issue #9): JOBS jobs over
// TENANTS tenants, CLAIMS claims of SIZE on one session with auto_explain logging every
// statement's duration (no ANALYZE: timings are the statements' own), nested ones too;
// prints per claim the top-level duration, the sum of the nested ones, and the gap.
//   TENANTS=1000 SIZE=250 npx tsx bench/experiments/claim-overhead.ts
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { median } from '../lib.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
const SIZE = Number(process.env.SIZE ?? 250);
const CLAIMS = Number(process.env.CLAIMS ?? 20);
const TENANTS = Number(process.env.TENANTS ?? 1_000);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  for (let i = 0; i < JOBS; i += 1_000) {
    await rota.enqueueMany(
      'q',
      Array.from({ length: 1_000 }, (_, k) => ({ payload: { k }, tenant: `t${(i + k) % TENANTS}` })),
    );
  }
  await rota.close();
  const c = new pg.Client(url);
  await c.connect();
  let durations: number[] = [];
  c.on('notice', (n) => {
    const m = /duration: ([0-9.]+) ms/.exec(n.message ?? '');
    if (m) durations.push(Number(m[1]));
  });
  await c.query(`LOAD 'auto_explain'`);
  await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET client_min_messages = log`);
  const gaps: number[] = [];
  const tops: number[] = [];
  for (let i = 0; i < CLAIMS; i++) {
    durations = [];
    await c.query(`SELECT count(id) AS n FROM rota.claim_jobs(ARRAY['q'], ARRAY[${SIZE}], 'w', 60000)`);
    const top = durations.at(-1) ?? 0;
    const nested = durations.slice(0, -1);
    const sum = nested.reduce((a, b) => a + b, 0);
    if (i >= CLAIMS / 2) {
      gaps.push(top - sum);
      tops.push(top);
    }
    if (i < 2 || i === CLAIMS - 1)
      console.log(`claim ${i + 1}: top ${top.toFixed(2)} ms, nested ${nested.map((d) => d.toFixed(2)).join(' + ')}`);
  }
  console.log(`median of last half: top ${median(tops).toFixed(2)} ms, outside the nested statements ${median(gaps).toFixed(2)} ms`);
  await c.end();
} finally {
  await server.destroy();
}

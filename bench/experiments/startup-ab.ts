// Start-up of a cold worker, before/after in one run (issue #9, fifth pass): JOBS no-op
// jobs bulk-enqueued (calls of 1,000) into a fresh database, then a new Rota (its own
// pool of two, as a worker process has) works the queue at concurrency 20. Times from
// work() to the 1st, the 1,000th and the 3,000th handler start and to the last handler
// call, for this tree's rota and BASE_DIR's (an extracted `git archive`), alternating
// which goes first, ROUNDS rounds. In one process: both sides share its warm module
// cache and JIT, so the figures are the start-up of the runtime, not of Node.
//   BASE_DIR=/tmp/base JOBS=5000 ROUNDS=12 npx tsx bench/experiments/startup-ab.ts
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import * as here from '../../src/index.js';

const JOBS = Number(process.env.JOBS ?? 5_000);
const ROUNDS = Number(process.env.ROUNDS ?? 12);
const BASE = process.env.BASE_DIR;
if (!BASE) throw new Error('BASE_DIR is not set (a checkout of the commit to compare with)');
const base = (await import(pathToFileURL(join(resolve(BASE), 'src/index.ts')).href)) as typeof here;
const MARKS = [1, 1_000, 3_000].filter((n) => n <= JOBS);

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
type Side = { name: string; Rota: typeof here.Rota };
const sides: Side[] = [
  { name: 'base', Rota: base.Rota },
  { name: 'this tree', Rota: here.Rota },
];

const server = await startEmbeddedPostgres({ settings: { shared_buffers: '256MB' } });
const admin = new pg.Client(server.url);
await admin.connect();
let dbs = 0;

async function once(side: Side): Promise<number[]> {
  const db = `startup_${++dbs}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const url = server.urlFor(db);
  const producer = new side.Rota({ connectionString: url, logger: silent });
  await producer.migrate();
  for (let i = 0; i < JOBS; i += 1_000) {
    await producer.enqueueMany(
      'q',
      Array.from({ length: Math.min(1_000, JOBS - i) }, (_, k) => ({ payload: { i: i + k } })),
    );
  }
  await producer.close();
  const worker = new side.Rota({ connectionString: url, logger: silent });
  const marks: number[] = [];
  let started = 0;
  const t0 = performance.now();
  await new Promise<void>((done) => {
    worker.work('q', { concurrency: 20 }, () => {
      started++;
      if (MARKS.includes(started)) marks.push(performance.now() - t0);
      if (started === JOBS) {
        marks.push(performance.now() - t0);
        done();
      }
    });
  });
  await worker.close();
  await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
  return marks;
}

const results = new Map<string, number[][]>(sides.map((s) => [s.name, []]));
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) results.get(side.name)?.push(await once(side));
  }
} finally {
  await admin.end();
  await server.destroy();
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const labels = [...MARKS.map((n) => `job ${n} starts`), 'last handler'];
console.log(`\n### cold worker start-up, ${JOBS} jobs, ${ROUNDS} rounds (ms from work(); median / worst)\n`);
console.log(`| side | ${labels.join(' | ')} |`);
console.log(`| --- | ${labels.map(() => '---').join(' | ')} |`);
for (const side of sides) {
  const runs = results.get(side.name) ?? [];
  const cells = labels.map((_, i) => {
    const xs = runs.map((m) => m[i] as number);
    return `${median(xs).toFixed(0)} / ${Math.max(...xs).toFixed(0)}`;
  });
  console.log(`| ${side.name} | ${cells.join(' | ')} |`);
}
// Paired: each round's two runs share the machine's state of the moment.
const diffs = labels.map((_, i) => {
  const xs = (results.get('this tree') ?? []).map((m, r) => (m[i] as number) - (results.get('base')?.[r]?.[i] ?? Number.NaN));
  return `${median(xs) >= 0 ? '+' : ''}${median(xs).toFixed(0)}`;
});
console.log(`| this tree − base, median of the rounds' differences | ${diffs.join(' | ')} |`);
console.log('\nrounds (first handler ms, base / this tree):');
const b = results.get('base') ?? [];
const t = results.get('this tree') ?? [];
console.log(b.map((m, i) => `${(m[0] as number).toFixed(0)}/${(t[i]?.[0] ?? Number.NaN).toFixed(0)}`).join('  '));

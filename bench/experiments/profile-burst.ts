// Where a cold burst's time goes (issue #9). Starts a PostgreSQL with pg_stat_statements,
// enqueues JOBS no-op jobs in calls of 1,000, runs the core burn-down child (a cold
// worker, concurrency 20) with the CPU profiler on over the measured section, then
// prints the statements by total time, the child's hottest functions (self time) and
// its time by part of the runtime, per job. NOPROF=1: timing only; SCRIPT: another
// checkout's bench/proc/rota.ts.
//   JOBS=20000 npx tsx bench/experiments/profile-burst.ts
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { runChild } from '../child.js';
import { printTable } from '../lib.js';
import type { BurndownResult, ChildEnv } from '../proc/protocol.js';

const JOBS = Number(process.env.JOBS ?? 20_000);
/** SCRIPT=/elsewhere/bench/proc/rota.ts profiles another checkout's rota (before/after). */
const SCRIPT = process.env.SCRIPT ?? 'bench/proc/rota.ts';
const server = await startEmbeddedPostgres({
  settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', shared_buffers: '256MB' },
});
try {
  const url = server.urlFor('postgres');
  const env = (mode: ChildEnv['BENCH_MODE']): ChildEnv => ({
    BENCH_DB_URL: url,
    BENCH_MODE: mode,
    BENCH_JOBS: String(JOBS),
    BENCH_CONCURRENCY: '20',
    BENCH_VARIANT: 'defaults',
    BENCH_RATE: '100',
    BENCH_CHUNK: '1000',
  });
  await runChild({ node: process.execPath, script: 'bench/proc/rota.ts', timeoutMs: 300_000, env: env('setup') });
  const sql = new pg.Client(url);
  await sql.connect();
  await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await sql.query('SELECT pg_stat_statements_reset()');
  const dir = mkdtempSync(join(tmpdir(), 'rota-prof-'));
  // The driver profiles the measured section only (BENCH_CPU_PROFILE, 100 µs sampling):
  // no module loading, no tsx loader thread.
  // NOPROF=1: no profile (the burn-down's own timing, e.g. the tail after the last handler).
  if (!process.env.NOPROF) process.env.BENCH_CPU_PROFILE = join(dir, 'burndown.cpuprofile');
  const res = await runChild<BurndownResult>({
    node: process.execPath,
    script: SCRIPT,
    timeoutMs: 300_000,
    env: env('burndown'),
  });
  delete process.env.BENCH_CPU_PROFILE;
  console.log(
    `burn-down: ${JOBS} jobs in ${res.ms.toFixed(0)} ms = ${Math.round(JOBS / (res.ms / 1000))} jobs/s (profiled: slower than unprofiled); last handler at ${res.handlersMs?.toFixed(0)} ms`,
  );
  const st = await sql.query<{ query: string; calls: string; total: number; mean: number; rows: string }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls, total_exec_time AS total, mean_exec_time AS mean, rows
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 14`,
  );
  printTable(
    'PostgreSQL: statements by total time (pg_stat_statements, track = all: nested statements of functions listed too)',
    st.rows.map((r) => ({
      statement: r.query.replaceAll('|', '¦'),
      calls: Number(r.calls),
      'total ms': r.total,
      'mean ms': r.mean,
      'µs per job': (r.total * 1000) / JOBS,
      rows: Number(r.rows),
    })),
  );
  await sql.end();
  // Self time by function from the .cpuprofile.
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: Array<{ id: number; children?: number[]; callFrame: { functionName: string; url: string; lineNumber: number } }>;
      samples: number[];
      timeDeltas: number[];
    };
    const byNode = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Each sample charged to the innermost frame of ours (src/…) or of pg on its stack:
    // what each part of the runtime costs including the Node internals it calls.
    const areaOf = (id: number): string => {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const url = byNode.get(at)?.callFrame.url ?? '';
        const m = /\/(src\/[^?]+|node_modules\/pg[^/]*)/.exec(url);
        if (m) return m[1] as string;
      }
      const name = byNode.get(id)?.callFrame.functionName ?? '';
      return name.startsWith('(') ? name : '(other: Node internals)';
    };
    const area = new Map<string, number>();
    const self = new Map<string, number>();
    let total = 0;
    prof.samples.forEach((id, i) => {
      const n = byNode.get(id);
      const dt = prof.timeDeltas[i] ?? 0;
      total += dt;
      if (!n) return;
      const a = areaOf(id);
      area.set(a, (area.get(a) ?? 0) + dt);
      const u = n.callFrame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1');
      const key = `${n.callFrame.functionName || '(anonymous)'} ${u}:${n.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    printTable(
      `Node: self time by function over the burn-down (${(total / 1000).toFixed(0)} ms sampled; µs per job = self time / jobs)`,
      top.map(([k, us]) => ({ function: k.replaceAll('|', '¦'), 'self ms': us / 1000, '%': (100 * us) / total, 'µs per job': us / JOBS })),
    );
    printTable(
      'Node: time by part (innermost frame of src/ or pg on the stack)',
      [...area.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 16)
        .map(([k, us]) => ({ part: k, ms: us / 1000, '%': (100 * us) / total, 'µs per job': us / JOBS })),
    );
    console.log(`profile: ${join(dir, file)}`);
  }
} finally {
  await server.destroy();
}

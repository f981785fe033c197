// Where a latency child's Node CPU goes between its two latProfileMark() calls (the
// measured span of lat-stages-child.ts): self time of a --cpu-prof profile by place
// (pg, rota's worker, the client side, the tracer, graphile-worker, Node, GC, idle), per job.
//   npx tsx bench/experiments/lat-profile.ts <file.cpuprofile> [jobs]
import { readFileSync } from 'node:fs';
import { printTable } from '../lib.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}
const [file, jobsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: lat-profile.ts <file.cpuprofile> [jobs]');
const jobs = Number(jobsArg ?? 500);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const place = (n: Node): string => {
  const { url, functionName } = n.callFrame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/Node (program)';
  if (url.includes('lat-stages-child')) return 'the tracer (lat-stages-child.ts)';
  if (/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-)/.test(url)) return 'pg (protocol, parse, pool)';
  if (url.includes('graphile')) return 'graphile-worker';
  if (/\/src\/worker\/|\/src\/fairness\//.test(url)) return 'rota: worker (src/worker, src/fairness)';
  if (/\/src\//.test(url)) return 'rota: other (client side, rota.ts, resilience, …)';
  if (url.startsWith('node:') || url === '') return 'Node internals (timers, streams, net)';
  return `other: ${url.split('/').slice(-2).join('/')}`;
};
// The window: from the end of the first latProfileMark's samples to the start of the second.
let t = 0;
const times = p.timeDeltas.map((d) => (t += d));
// A mark sample: latProfileMark on its stack (its leaf is usually performance.now()).
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inMark = (id: number): boolean => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    if (byId.get(cur)?.callFrame.functionName === 'latProfileMark') return true;
  }
  return false;
};
const markAt = p.samples.map((s, i) => (inMark(s) ? i : -1)).filter((i) => i >= 0);
let from = 0;
let to = p.samples.length;
if (markAt.length > 1) {
  // Two runs of consecutive mark samples.
  const gap = markAt.findIndex((v, k) => k > 0 && v - (markAt[k - 1] as number) > 1);
  from = (markAt[gap - 1] as number) + 1;
  to = markAt[gap] as number;
}
const self = new Map<string, number>();
for (let i = from; i < to; i++) {
  const n = byId.get(p.samples[i] as number);
  if (!n) continue;
  const dt = (times[i + 1] ?? times[i] ?? 0) - (times[i] ?? 0);
  self.set(place(n), (self.get(place(n)) ?? 0) + dt);
}
const span = ((times[to] ?? 0) - (times[from] ?? 0)) / 1000;
const busy = [...self].filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
printTable(`${file}: ${span.toFixed(0)} ms measured, ${(busy / 1000).toFixed(0)} ms busy; µs per job (${jobs} jobs)`, [
  ...[...self]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => ({ place: k, 'µs per job': v / jobs, 'share of busy': k === 'idle' ? '' : `${((100 * v) / busy).toFixed(1)} %` })),
]);

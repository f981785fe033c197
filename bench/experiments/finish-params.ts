// The worker's CPU per status update spent building finish_batch.sql's parameters
// (finishParams: six PostgreSQL array literals), for a batch of 1,000 completions with
// null results (a burst's) and a mixed batch (retries with quoted errors, JSON results).
// Median of 7 runs of 200 batches, after 200 to warm up.
//   npx tsx bench/experiments/finish-params.ts
import { type FinishUpdate, finishParams } from '../../src/worker/batcher.js';

const batch: FinishUpdate[] = Array.from({ length: 1000 }, (_, i) => ({
  id: String(100000 + i),
  attempt: 1,
  kind: 'complete',
  result: null,
  error: null,
  delayMs: null,
}));
const mixed: FinishUpdate[] = batch.map((u, i) =>
  i % 10 === 0
    ? { ...u, kind: 'retry', error: '{"name":"E","message":"a \\"q\\""}', delayMs: 50 }
    : i % 7 === 0
      ? { ...u, result: '{"x":[1,2]}' }
      : u,
);
for (const [label, b] of [
  ['1,000 completions, null results', batch],
  ['1,000 mixed', mixed],
] as const) {
  for (let i = 0; i < 200; i++) finishParams(b);
  const times: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < 200; i++) finishParams(b);
    times.push(((performance.now() - t) * 1000) / (200 * b.length));
  }
  times.sort((x, y) => x - y);
  console.log(`${label}: ${(times[3] as number).toFixed(3)} µs per update`);
}

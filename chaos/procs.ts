/**
 * Worker processes for the chaos scenarios: the shared worker fixture
 * (harness/worker-process.ts) started by the shared spawner (harness/spawn.ts), killed
 * on purpose, and their run records read back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Proc, spawnWorker as spawnFixture, stopProcs } from '../harness/spawn.js';

export interface WorkerProc extends Proc {
  readonly id: string;
}

export interface SpawnOptions {
  url: string;
  /** Worker id (recorded in locked_by and in rescue errors). */
  id: string;
  queue: string;
  /** Run records go to `${runsDir}/${id}`; stderr to `${runsDir}/${id}.log`. */
  runsDir: string;
  concurrency?: number;
  env?: Record<string, string>;
  rota?: Record<string, unknown>;
}

export function spawnWorker(o: SpawnOptions): WorkerProc {
  const proc = spawnFixture(
    {
      DATABASE_URL: o.url,
      QUEUE: o.queue,
      CONCURRENCY: String(o.concurrency ?? 10),
      RUNS_FILE: join(o.runsDir, o.id),
      ROTA_OPTIONS: JSON.stringify({ workerId: o.id, ...o.rota }),
      ...o.env,
    },
    { stderrFile: join(o.runsDir, `${o.id}.log`) },
  );
  return Object.assign(proc, { id: o.id });
}

/** SIGTERM (graceful) and wait; SIGKILL after `graceMs`. */
export function stopWorker(p: WorkerProc, graceMs = 20_000): Promise<void> {
  return stopProcs([p], graceMs);
}

export { type RunRecord, readRuns } from '../harness/runs.js';

/** Warning lines per message in a worker's log. */
export function warningsOf(dir: string, id: string): Map<string, number> {
  const counts = new Map<string, number>();
  const file = join(dir, `${id}.log`);
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{"level":40')) continue;
    const { msg, task } = JSON.parse(line) as { msg: string; task?: string };
    const key = task ? `${msg} (${task})` : msg;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

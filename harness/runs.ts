/** Run records written by harness/worker-process.ts with RUNS_FILE (one file per process in a folder). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunRecord {
  job: string;
  attempt: number;
  worker: string;
  at: number;
}

/** Every handler run recorded in `dir` (one file per worker process). */
export function readRuns(dir: string): RunRecord[] {
  if (!existsSync(dir)) return [];
  const out: RunRecord[] = [];
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.log')) continue;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const [job, attempt, , at] = line.split(' ');
      if (job && at) out.push({ job, attempt: Number(attempt), worker: f, at: Number(at) });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

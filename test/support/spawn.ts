import { afterAll } from 'vitest';
import { killAll, type Proc, spawnTs as spawnHarness, spawnWorker as spawnHarnessWorker } from '../../harness/spawn.js';

/**
 * The tests' view of harness/spawn.ts (the one spawner, shared with chaos/ and bench/):
 * the same processes, and none outlives the test file.
 */
afterAll(killAll);

export type Spawned = Proc;

/**
 * Runs a TypeScript file under tsx with extra environment and arguments; `ready` waits
 * for `readyText` on stdout (default "ready").
 */
export function spawnTs(file: string, env: Record<string, string>, args: string[] = [], o: { readyText?: string } = {}): Spawned {
  return spawnHarness(file, { env, args, ...o });
}

/** The worker-process fixture (harness/worker-process.ts), recording its runs in public.runs. */
export function spawnWorker(env: Record<string, string>): Spawned {
  return spawnHarnessWorker({ RUNS_TABLE: '1', ...env });
}

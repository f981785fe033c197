/**
 * Runs one measurement in a child process (so the worker's connections and event loop
 * are its own) and returns the RESULT it prints. The process is started by the shared
 * spawner (harness/spawn.ts); one that outlives its time limit is killed, and so is one
 * still running when the benchmark stops.
 */
import { killAll, REPO_ROOT, spawnTs } from '../harness/spawn.js';
import { type ChildEnv, type ChildResult, RESULT_PREFIX } from './proc/protocol.js';

export { REPO_ROOT };

/** Kills every child still running (called from the runner's finally and on SIGINT). */
export const killChildren = killAll;

export interface ChildSpec {
  /** Node binary to run the script with. */
  node: string;
  /** Script path relative to the repository root. */
  script: string;
  env: ChildEnv;
  timeoutMs: number;
  /** Extra Node flags, e.g. ['--cpu-prof'] (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export async function runChild<R extends ChildResult>(spec: ChildSpec): Promise<R> {
  const proc = spawnTs(spec.script, {
    node: spec.node,
    nodeArgs: spec.nodeArgs,
    env: spec.env as unknown as Record<string, string>,
    readyText: RESULT_PREFIX,
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, spec.timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  const tail = () => proc.output().slice(-4_000).trim();
  if (timedOut) throw new Error(`${spec.script} (${spec.env.BENCH_MODE}) timed out after ${spec.timeoutMs} ms\n${tail()}`);
  const line = proc.lines().find((l) => l.startsWith(RESULT_PREFIX));
  if (code === 0 && line) return JSON.parse(line.slice(RESULT_PREFIX.length)) as R;
  throw new Error(`${spec.script} (${spec.env.BENCH_MODE}) exited with ${code}\n${tail()}`);
}

/**
 * Runs one measurement in a child process (so the worker's connections and event loop
 * are its own) and returns the RESULT it prints. A child that outlives its time limit
 * is killed; a child still running when the benchmark stops is killed too.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildEnv, type ChildResult, RESULT_PREFIX } from './proc/protocol.js';

/** The repository root: children run there, so `--import tsx` resolves the root's tsx. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const running = new Set<ReturnType<typeof spawn>>();

/** Kills every child still running (called from the runner's finally and on SIGINT). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

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

export function runChild<R extends ChildResult>(spec: ChildSpec): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const child = spawn(spec.node, [...(spec.nodeArgs ?? []), '--import', 'tsx', spec.script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.script} (${spec.env.BENCH_MODE}) timed out after ${spec.timeoutMs} ms\n${stderr}`));
    }, spec.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      running.delete(child);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as R);
      else reject(new Error(`${spec.script} (${spec.env.BENCH_MODE}) exited with ${signal ?? code}\n${stderr.trim()}`));
    });
  });
}

/**
 * The one way tests, chaos scenarios and benchmarks start helper processes: a
 * TypeScript file under tsx, with extra environment, its output kept, "ready" awaited,
 * and every child killed when the parent exits, whatever happened to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: children run there, so `--import tsx` resolves the root's tsx. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

const live = new Set<ChildProcess>();

/** SIGKILLs every child still running (test files call it after the file; runners on exit). */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAll);

export interface Proc {
  readonly child: ChildProcess;
  /** Resolves when stdout contains the ready text; rejects if the process exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** True when the process exited without being told to by `kill` (a crash). */
  readonly crashed: boolean;
  /** Everything it printed so far (stdout and, unless logged to a file, stderr). */
  output(): string;
  /** stdout lines so far. */
  lines(): string[];
  /** Sends a signal; the exit that follows is not a crash. */
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  args?: string[];
  /** Node flags before the script, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /** Node binary (default: this one). */
  node?: string;
  /** `ready` resolves when stdout contains this (default "ready"). */
  readyText?: string;
  /** Send stderr to this file instead of keeping it in `output()`. */
  stderrFile?: string;
}

/** Runs `file` (relative to the repository root) under tsx. */
export function spawnTs(file: string, o: SpawnOptions = {}): Proc {
  const readyText = o.readyText ?? 'ready';
  const child = spawn(o.node ?? process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', file, ...(o.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let stdout = '';
  let told = false;
  let crashed = false;
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  if (o.stderrFile) child.stderr?.pipe(createWriteStream(o.stderrFile));
  else
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (stdout.includes(readyText)) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`${file} exited (${code ?? signal}) before "${readyText}":\n${out}`)));
    child.once('error', reject);
  });
  ready.catch(() => {});
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (!told) crashed = true;
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => {
      live.delete(child);
      resolve('spawn error');
    });
  });
  return {
    child,
    ready,
    exited,
    get crashed() {
      return crashed;
    },
    output: () => out,
    lines: () => stdout.split('\n').filter(Boolean),
    kill: (signal) => {
      told = true;
      child.kill(signal);
    },
  };
}

/** SIGTERM (graceful) and wait; SIGKILL whatever has not exited after `graceMs`. */
export async function stopProcs(procs: readonly Proc[], graceMs = 15_000): Promise<void> {
  const running = procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  for (const p of running) p.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const p of running) p.kill('SIGKILL');
  }, graceMs);
  await Promise.all(running.map((p) => p.exited));
  clearTimeout(timer);
}

/** The worker-process fixture (harness/worker-process.ts; its header lists the variables). */
export function spawnWorker(env: Record<string, string>, o: Omit<SpawnOptions, 'env'> = {}): Proc {
  return spawnTs('harness/worker-process.ts', { ...o, env: { ROTA_LOG_LEVEL: process.env.ROTA_LOG_LEVEL ?? 'warn', ...env } });
}

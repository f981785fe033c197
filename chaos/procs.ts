/**
 * Worker processes for the chaos scenarios: spawned with tsx (chaos/worker.ts), killed
 * on purpose, always killed on exit, and their run records read back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const live = new Set<ChildProcess>();

// No worker outlives the runner, whatever happens to it.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface WorkerProc {
  readonly id: string;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | string>;
  /** Set when the process exited without being told to (a crash). */
  crashed: boolean;
  /** stdout lines so far (JSON events and "ready"). */
  lines(): string[];
  /** Sends a signal; the exit that follows is not a crash. */
  kill(signal: NodeJS.Signals): void;
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'chaos/worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ROTA_LOG_LEVEL: process.env.ROTA_LOG_LEVEL ?? 'warn',
      DATABASE_URL: o.url,
      QUEUE: o.queue,
      CONCURRENCY: String(o.concurrency ?? 10),
      RUNS_FILE: join(o.runsDir, o.id),
      ROTA_OPTIONS: JSON.stringify({ workerId: o.id, ...o.rota }),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stderr?.pipe(createWriteStream(join(o.runsDir, `${o.id}.log`)));
  let out = '';
  let told = false;
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${o.id} exited (${code}) before ready`)));
  });
  ready.catch(() => {});
  const proc: WorkerProc = {
    id: o.id,
    child,
    ready,
    crashed: false,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (!told) proc.crashed = true;
        resolve(code ?? signal ?? 'unknown');
      });
    }),
    lines: () => out.split('\n').filter(Boolean),
    kill: (signal) => {
      told = true;
      child.kill(signal);
    },
  };
  return proc;
}

/** SIGTERM (graceful) and wait; SIGKILL after `graceMs`. */
export async function stopWorker(p: WorkerProc, graceMs = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}

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

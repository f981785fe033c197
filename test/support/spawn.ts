import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();

// Whatever happens in the tests, no child outlives the file.
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the process printed "ready". */
  ready: Promise<void>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  output: () => string;
}

/** Runs a TypeScript file under tsx as a separate process with extra environment (and arguments). */
export function spawnTs(file: string, env: Record<string, string>, args: string[] = []): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => reject(new Error(`process exited (${code}) before ready:\n${out}`)));
  });
  ready.catch(() => {});
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { child, ready, exited, output: () => out };
}

export function spawnWorker(env: Record<string, string>): Spawned {
  return spawnTs('test/fixtures/worker-process.ts', env);
}

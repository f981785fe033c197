import { type ChildProcess, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Spawned, spawnTs } from './spawn.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rota <args>` (src/cli/main.ts under tsx) to completion. `env` replaces DATABASE_URL etc. */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    const merged: Record<string, string | undefined> = { ...process.env, ...env };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: merged as NodeJS.ProcessEnv, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts a long-running `rota <args>` (worker, schedule run); "ready" is whatever `readyText` says. */
export function startCli(args: string[], env: Record<string, string>, readyText: string): Spawned & { child: ChildProcess } {
  return spawnTs('src/cli/main.ts', env, args, { readyText });
}

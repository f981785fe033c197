// Builds the dashboard bundle (web/dist) when it is missing or older than its sources.
// `npm start` runs it first (so `npm install && npm start` on a fresh clone serves the
// dashboard), and the end-to-end tests call ensureBundle() before they start a server.
// Usage: node web/scripts/build.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const distIndex = join(webDir, 'dist', 'index.html');
const lockDir = join(webDir, '.build-lock');

function newestSource(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, name)));
  return newest;
}

export function bundleIsStale() {
  if (!existsSync(distIndex)) return true;
  const built = statSync(distIndex).mtimeMs;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(webDir, p)).filter(existsSync);
  return Math.max(...sources.map(newestSource)) > built;
}

function runVite() {
  const require = createRequire(import.meta.url);
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`vite build failed (exit ${res.status ?? res.signal})`);
}

/** Builds web/dist unless it is up to date. Safe to call from parallel processes (a lock directory serialises them). */
export async function ensureBundle({ force = false } = {}) {
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // Another process is building; a lock older than 5 minutes belongs to a dead one.
      if (Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs > 300_000) rmSync(lockDir, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    if (force || bundleIsStale()) {
      runVite();
      return true;
    }
    return false;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await ensureBundle({ force: process.argv.includes('--force') });
  process.stdout.write(built ? 'dashboard: built web/dist\n' : 'dashboard: web/dist is up to date\n');
}

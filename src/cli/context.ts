import type { EmbeddedServer } from '../db/embedded.js';
import { Rota, type RotaOptions } from '../rota.js';

/**
 * Where the CLI's database comes from: DATABASE_URL, or a throw-away embedded
 * PostgreSQL (the demo always; `worker`, `schedule run` and `serve` with --embedded) that is
 * stopped and deleted when the command ends.
 */
export interface CliDatabase {
  url: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

/** 'always': the demo; 'on-flag': long-running commands, with --embedded; 'never': one-shot commands. */
export type EmbeddedUse = 'always' | 'on-flag' | 'never';

let embeddedFlag = false;

/** Set by the program from its global `--embedded` option before a command runs. */
export function setEmbeddedFlag(on: boolean): void {
  embeddedFlag = on;
}

/** DATABASE_URL checked up front, so a typo gets a sentence instead of a driver stack trace. */
export function databaseUrlFromEnv(): string | null {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
  }
  return url;
}

export async function openDatabase(opts: { embedded: EmbeddedUse }): Promise<CliDatabase> {
  const url = databaseUrlFromEnv();
  if (url) return { url, embedded: null, close: async () => {} };
  if (opts.embedded === 'never' && embeddedFlag) {
    throw new Error(
      '--embedded starts a throw-away database that is deleted when this command ends, so it only works with commands that keep running (worker, schedule run, serve, demo); set DATABASE_URL for this command',
    );
  }
  if (opts.embedded === 'never' || (opts.embedded === 'on-flag' && !embeddedFlag)) {
    throw new Error(
      'DATABASE_URL is not set: point it at your PostgreSQL (postgres://user:password@host:5432/database), or run `rota demo` to try rota on a throw-away embedded PostgreSQL',
    );
  }
  // Loaded on demand: the embedded server is a development convenience (an optional package).
  const { startEmbeddedPostgres } = await import('../db/embedded.js');
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, embedded, close: () => embedded.destroy() };
}

export function rotaFromEnv(url: string, extra: Partial<RotaOptions> = {}): Rota {
  return new Rota({ connectionString: url, schema: process.env.ROTA_SCHEMA ?? 'rota', ...extra });
}

/**
 * Runs `fn` once on SIGINT/SIGTERM, then exits 0 (1 if it failed). A second signal a
 * second or more later exits at once with 130 ("again to force"); repeats within that
 * second are ignored, because a terminal's Ctrl-C reaches this process both directly and
 * relayed by npm. (`npm start` runs `node --import tsx`, not the tsx CLI: tsx's launcher
 * killed the child with SIGKILL, exit 130, when the child had not acknowledged the signal
 * over IPC within 2 × 30 ms, which a busy event loop under load did not.) The embedded database, if any, runs in
 * its own process group, so it keeps serving until `fn` has drained and closed rota.
 */
export function onShutdownSignal(fn: () => Promise<void>): void {
  let firstAt = 0;
  const handler = (sig: NodeJS.Signals) => {
    if (firstAt > 0) {
      if (Date.now() - firstAt < 1_000) return;
      process.stderr.write(`${sig} again: exiting without waiting\n`);
      process.exit(130);
    }
    firstAt = Date.now();
    process.stderr.write(`\n${sig}: shutting down gracefully (again to force)\n`);
    fn().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Runs `fn` with a Rota on DATABASE_URL and closes it afterwards (one-shot commands). */
export async function withRota<T>(fn: (rota: Rota) => Promise<T>, extra: Partial<RotaOptions> = {}): Promise<T> {
  const db = await openDatabase({ embedded: 'never' });
  const rota = rotaFromEnv(db.url, extra);
  try {
    return await fn(rota);
  } finally {
    await rota.close();
    await db.close();
  }
}

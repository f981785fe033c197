import { type EmbeddedServer, startEmbeddedPostgres } from '../db/embedded.js';
import { Rota, type RotaOptions } from '../rota.js';

/**
 * Where the CLI's database comes from: DATABASE_URL, or (for `demo` and when
 * `--embedded` is given) a throw-away embedded PostgreSQL that is stopped on exit.
 */
export interface CliDatabase {
  url: string;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

export async function openDatabase(opts: { allowEmbedded: boolean }): Promise<CliDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, embedded: null, close: async () => {} };
  if (!opts.allowEmbedded) {
    throw new Error('DATABASE_URL is not set (or pass --embedded to start a throw-away PostgreSQL)');
  }
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, embedded, close: () => embedded.destroy() };
}

export function rotaFromEnv(url: string, extra: Partial<RotaOptions> = {}): Rota {
  return new Rota({ connectionString: url, schema: process.env.ROTA_SCHEMA ?? 'rota', ...extra });
}

/** Runs `fn` once on SIGINT/SIGTERM (a second signal exits at once). */
export function onShutdownSignal(fn: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
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
  const db = await openDatabase({ allowEmbedded: false });
  const rota = rotaFromEnv(db.url, extra);
  try {
    return await fn(rota);
  } finally {
    await rota.close();
    await db.close();
  }
}

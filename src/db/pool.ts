import pg from 'pg';
import type { Logger } from '../logger.js';

/** The pool a Rota works with: the application's, or one of its own that close() ends. */
export interface RotaPool {
  pool: pg.Pool;
  /** True when rota created the pool and so must end it. */
  owned: boolean;
  /** Ends an owned pool and waits (bounded) until its connections have really closed; nothing for the application's pool. */
  end(): Promise<void>;
}

export function openPool(opts: { pool?: pg.Pool; connectionString?: string; max: number; log: Logger }): RotaPool {
  const pool = opts.pool ?? new pg.Pool({ connectionString: opts.connectionString, max: opts.max, application_name: 'rota' });
  // An idle client's connection error (database restart) must not crash the process.
  pool.on('error', (err) => opts.log.warn({ err: String(err) }, 'idle pool connection lost'));
  if (opts.pool) return { pool, owned: false, end: async () => {} };
  const connections = new Set<pg.PoolClient>();
  pool.on('connect', (client) => {
    connections.add(client);
    client.once('end', () => connections.delete(client));
  });
  return {
    pool,
    owned: true,
    async end() {
      // pool.end() resolves once its clients are told to end, not once their connections
      // have closed; wait for that too (bounded), so a database stopped right after close()
      // terminates no session of ours.
      const ending = [...connections].map((c) => new Promise<void>((resolve) => c.once('end', () => resolve())));
      await pool.end();
      await Promise.race([Promise.all(ending), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    },
  };
}

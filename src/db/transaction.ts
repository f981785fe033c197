import type pg from 'pg';
import { isUnavailable } from '../errors.js';

/**
 * Runs `fn` in a transaction on a connection of `pool`: COMMIT when it resolves,
 * ROLLBACK when it throws. A connection that failed mid-transaction is destroyed
 * rather than handed back to the pool. `begin` may carry SET LOCAL statements.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = isUnavailable(err);
    if (!broken) await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release(broken);
  }
}

import type pg from 'pg';
import { withSchema } from './sql.js';
import { inTransaction } from './transaction.js';

const DAY_MS = 86_400_000;

function dayStart(t: number): Date {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS);
}

function partitionName(day: Date): string {
  return `jobs_done_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export interface MaintenanceResult {
  created: string[];
  dropped: string[];
  /** Rows deleted from the default partition because they were past retention. */
  purgedDefaultRows: number;
}

/**
 * Keeps jobs_done's daily partitions (UTC days) ahead of time and drops the ones past
 * retention. Safe to run from any number of processes: it takes a transaction-level
 * advisory lock and skips the run if another process holds it.
 *
 * A day's partition is created in one transaction that also moves that day's rows out
 * of the default partition (rows land there only if maintenance fell behind), so
 * ATTACH never finds conflicting rows and no finished job is lost.
 */
export async function maintainPartitions(
  pool: pg.Pool,
  schema: string,
  opts: { retentionMs: number; daysAhead?: number; now?: number },
): Promise<MaintenanceResult> {
  const now = opts.now ?? Date.now();
  const daysAhead = opts.daysAhead ?? 3;
  const q = (s: string) => withSchema(s, schema);
  const result: MaintenanceResult = { created: [], dropped: [], purgedDefaultRows: 0 };
  return inTransaction(pool, async (client) => {
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [`rota.maintain:${schema}`]);
    // Another process is maintaining: nothing to do (the empty transaction commits).
    if (!lock.rows[0]?.ok) return result;
    const existing = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE n.nspname = $1 AND p.relname = 'jobs_done'`,
      [schema],
    );
    const names = new Set(existing.rows.map((r) => r.name));
    const firstDay = dayStart(now - opts.retentionMs).getTime();
    for (let t = Math.max(firstDay, dayStart(now).getTime() - DAY_MS); t <= dayStart(now).getTime() + daysAhead * DAY_MS; t += DAY_MS) {
      const day = new Date(t);
      const name = partitionName(day);
      if (names.has(name)) continue;
      const lo = day.toISOString();
      const hi = new Date(t + DAY_MS).toISOString();
      // The partition name is derived from a date, never from input; bounds are literals
      // because ATTACH PARTITION takes no parameters.
      await client.query(q(`CREATE TABLE {{schema}}.${name} (LIKE {{schema}}.jobs_done INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`));
      await client.query(
        q(`WITH moved AS (DELETE FROM {{schema}}.jobs_done_default WHERE finished_at >= $1 AND finished_at < $2 RETURNING *)
           INSERT INTO {{schema}}.${name} SELECT * FROM moved`),
        [lo, hi],
      );
      await client.query(q(`ALTER TABLE {{schema}}.jobs_done ATTACH PARTITION {{schema}}.${name} FOR VALUES FROM ('${lo}') TO ('${hi}')`));
      result.created.push(name);
    }
    for (const name of names) {
      const m = /^jobs_done_p(\d{4})(\d{2})(\d{2})$/.exec(name);
      if (!m) continue;
      const end = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY_MS;
      if (end <= now - opts.retentionMs) {
        await client.query(q(`DROP TABLE {{schema}}.${name}`));
        result.dropped.push(name);
      }
    }
    const purged = await client.query(q('DELETE FROM {{schema}}.jobs_done_default WHERE finished_at < $1'), [
      new Date(now - opts.retentionMs).toISOString(),
    ]);
    result.purgedDefaultRows = purged.rowCount ?? 0;
    return result;
  });
}

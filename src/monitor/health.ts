import type pg from 'pg';
import { loadMigrations, withSchema } from '../db/sql.js';
import type { PoolWatchStats } from '../resilience/pool-watch.js';
import type { ClusterReader } from './cluster.js';

export interface HealthCheck {
  name: 'database' | 'migrations' | 'pool' | 'connections';
  ok: boolean;
  durationMs: number;
  message: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheck[];
}

export interface HealthDeps {
  pool: pg.Pool;
  schema: string;
  cluster: ClusterReader;
  poolWatch: () => PoolWatchStats;
  /** Readiness fails at or above this share (%) of usable connections in use. */
  criticalPercent: () => Promise<number>;
  timeoutMs: number;
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function timed(name: HealthCheck['name'], fn: () => Promise<string>): Promise<HealthCheck> {
  const t0 = performance.now();
  try {
    const message = await fn();
    return { name, ok: true, durationMs: Math.round((performance.now() - t0) * 10) / 10, message };
  } catch (err) {
    return {
      name,
      ok: false,
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
      message: err instanceof Error ? err.message : String(err),
    };
  }
}

/**
 * Readiness: the database answers within the timeout, the schema is at the version
 * this code expects, the pool is not exhausted, and connection use is below the
 * critical threshold. Every check is bounded by the timeout, so a database that went
 * away fails readiness within seconds; nothing is cached, so it recovers by itself.
 */
export async function checkHealth(d: HealthDeps): Promise<HealthReport> {
  const expected = Math.max(0, ...loadMigrations().map((m) => m.version));
  const database = await timed('database', async () => {
    await withTimeout(d.pool.query('SELECT 1'), d.timeoutMs, 'the database');
    return 'reachable';
  });
  const pool = await timed('pool', async () => {
    const s = d.poolWatch();
    if (s.exhausted) throw new Error(`pool exhausted: callers waiting ${Math.round(s.waitingForMs)} ms (threshold ${s.thresholdMs} ms)`);
    return 'not exhausted';
  });
  const skipped = (name: HealthCheck['name']): HealthCheck => ({
    name,
    ok: false,
    durationMs: 0,
    message: 'not checked: database unreachable',
  });
  const rest = database.ok
    ? await Promise.all([
        timed('migrations', async () => {
          const res = await withTimeout(
            d.pool.query<{ v: number | null }>(withSchema('SELECT max(version) AS v FROM {{schema}}.migrations', d.schema)),
            d.timeoutMs,
            'the migrations query',
          );
          const v = res.rows[0]?.v ?? 0;
          if (v < expected) throw new Error(`schema at version ${v}, this code needs ${expected} (run rota migrate)`);
          return `version ${v}`;
        }),
        timed('connections', async () => {
          const c = await withTimeout(d.cluster.connections(), d.timeoutMs, 'pg_stat_activity');
          const usable = Math.max(1, c.max - c.reserved);
          const pct = (100 * c.total) / usable;
          const critical = await d.criticalPercent();
          const msg = `${c.total} of ${usable} usable connections in use (${Math.round(pct)} %)`;
          if (pct >= critical) throw new Error(`${msg}: at or above ${critical} %`);
          return msg;
        }),
      ])
    : [skipped('migrations'), skipped('connections')];
  const checks = [database, rest[0] as HealthCheck, pool, rest[1] as HealthCheck];
  return { ok: checks.every((c) => c.ok), checks };
}

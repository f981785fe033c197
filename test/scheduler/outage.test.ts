/**
 * The database goes away under a running scheduler (connections refused and the open
 * ones terminated, for this test's database only) and comes back: the scheduler logs
 * each distinct error once, backs off, carries on, and the ticks of the outage are
 * recorded per policy (missed beyond the grace period), each exactly once.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Logger, Rota } from '../../src/index.js';
import { freshDatabase, waitFor } from '../support/db.js';

const db = await freshDatabase();
// The assertion pool's idle connections are terminated too; they reconnect on next use.
db.sql.on('error', () => {});

const lines: Array<{ level: string; msg: string; obj: object }> = [];
const logger: Logger = {
  debug: () => {},
  info: (obj, msg = '') => lines.push({ level: 'info', msg, obj }),
  warn: (obj, msg = '') => lines.push({ level: 'warn', msg, obj }),
  error: (obj, msg = '') => lines.push({ level: 'error', msg, obj }),
  child: () => logger,
};
const rota = new Rota({ connectionString: db.url, logger });
afterAll(() => rota.close());

async function admin(sql: string): Promise<void> {
  const c = new pg.Client(db.adminUrl);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

interface Row {
  tick_at: Date;
  status: string;
  job_id: string | null;
}
const ticks = async () =>
  (await db.sql.query<Row>(`SELECT tick_at, status, job_id FROM rota.schedule_ticks WHERE source = 'cron' ORDER BY tick_at`)).rows;

describe('database outage', () => {
  it('survives it: logs once per distinct error, backs off, resumes, and records the outage per policy', async () => {
    await rota.migrate();
    const handle = rota.startScheduler();
    await rota.schedule('heartbeat', '* * * * * *', 'outage-q', {}, { graceMs: 2_000 });
    await waitFor(async () => (await ticks()).length >= 2);

    await admin(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db.name}'`);
    await new Promise((r) => setTimeout(r, 5_000));
    const errorsDuringOutage = handle.stats.errors;
    await admin(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS true`);

    const rows = await waitFor(async () => {
      const r = await ticks();
      const lastMissed = r.map((x) => x.status).lastIndexOf('missed');
      return lastMissed >= 0 && r.length - lastMissed > 2 ? r : null;
    }, 20_000);
    await handle.stop();

    expect(errorsDuringOutage).toBeGreaterThan(3); // it kept retrying
    const failures = lines.filter((l) => l.msg.startsWith('scheduler: step failed'));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length).toBeLessThanOrEqual(3); // once per distinct error, not once per retry
    expect(lines.filter((l) => l.msg === 'scheduler: database reachable again')).toHaveLength(1);

    rows.forEach((r, i) => {
      if (i > 0) expect(r.tick_at.getTime() - (rows[i - 1] as Row).tick_at.getTime()).toBe(1000);
    });
    expect(rows.map((r) => r.status[0]).join('')).toMatch(/^e+m+e+$/);
    expect(rows.every((r) => (r.status === 'missed') === (r.job_id === null))).toBe(true);
    const jobs = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM rota.jobs WHERE queue = 'outage-q'`);
    expect(jobs.rows[0]?.n).toBe(rows.filter((r) => r.job_id !== null).length);
  });
});

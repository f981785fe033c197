import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import type { TestDb } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

let db: TestDb;
let rota: Rota;

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
});

const count = async (table: string) => Number((await db.sql.query(`SELECT count(*) AS n FROM rota.${table}`)).rows[0]?.n);

describe('prune', () => {
  it('deletes silent worker rows, old breaker history, audit entries and job logs; keeps recent ones', async () => {
    await db.sql.query(`INSERT INTO rota.workers (id, hostname, pid, queues, heartbeat_at) VALUES
      ('gone', 'h', 1, '{}', now() - interval '2 hours'), ('alive', 'h', 2, '{}', now())`);
    await rota.breakers.open({ dependency: 'x' }, { reason: 'test' });
    await rota.breakers.reset({ dependency: 'x' });
    await db.sql.query(`UPDATE rota.breaker_history SET at = now() - interval '30 days' WHERE to_state = 'open'`);
    await rota.admin.audit.record({ actor: 'a', tenant: null, action: 'old' });
    await rota.admin.audit.record({ actor: 'a', tenant: null, action: 'new' });
    await db.sql.query(`UPDATE rota.audit_log SET at = now() - interval '30 days' WHERE action = 'old'`);
    await db.sql.query(
      `INSERT INTO rota.job_logs (job_id, lines, updated_at) VALUES (1, '[]', now() - interval '30 days'), (2, '[]', now())`,
    );

    const r = await rota.admin.prune();
    expect(r).toEqual({ workers: 1, breakerHistory: 1, audit: 1, jobLogs: 1 });
    expect((await db.sql.query('SELECT id FROM rota.workers')).rows).toEqual([{ id: 'alive' }]);
    expect(await count('breaker_history')).toBe(1);
    expect((await db.sql.query('SELECT action FROM rota.audit_log')).rows).toEqual([{ action: 'new' }]);
    expect((await db.sql.query('SELECT job_id FROM rota.job_logs')).rows).toEqual([{ job_id: '2' }]);
    expect(await rota.admin.prune()).toEqual({ workers: 0, breakerHistory: 0, audit: 0, jobLogs: 0 });
  });
});

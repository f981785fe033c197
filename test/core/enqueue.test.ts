import { describe, expect, it } from 'vitest';
import type { Priority } from '../../src/index.js';
import { makeRota, migratedDatabase, totalJobs, waitForState } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);

describe('enqueue: every option round-trips through getJob', () => {
  it('defaults', async () => {
    const { id, deduplicated } = await rota.enqueue('rt', { itemId: 7 });
    expect(deduplicated).toBe(false);
    expect(id).toMatch(/^[1-9]\d*$/);
    const job = await rota.getJob(id);
    expect(job).toMatchObject({
      id,
      queue: 'rt',
      tenant: 'default',
      priority: 'normal',
      state: 'available',
      payload: { itemId: 7 },
      result: null,
      errors: [],
      attempt: 0,
      maxAttempts: 5,
      timeoutMs: null,
      dedupKey: null,
      startedAt: null,
      finishedAt: null,
      lockedBy: null,
    });
    expect(job?.createdAt).toBeInstanceOf(Date);
    expect(job?.runAt.getTime()).toBe(job?.createdAt.getTime());
  });

  it('payloads of every JSON shape come back as sent', async () => {
    const payloads = [0, -1.5, 'text', 'ünïcødé ✓ 日本', true, [], [1, 'a', null], { a: { b: [{ c: 1 }] } }, { quote: '"\\' }];
    for (const payload of payloads) {
      const { id } = await rota.enqueue('rt-payload', payload);
      expect((await rota.getJob(id))?.payload).toEqual(payload);
    }
  });

  // json_to_recordset turns a JSON null into SQL NULL; enqueue.sql stores it as jsonb null.
  it('a null payload comes back as null', async () => {
    const { id } = await rota.enqueue('rt-payload', null);
    expect((await rota.getJob(id))?.payload).toBeNull();
  });

  it('tenant', async () => {
    const { id } = await rota.enqueue('rt', 1, { tenant: 'store-42' });
    expect((await rota.getJob(id))?.tenant).toBe('store-42');
  });

  it('every priority', async () => {
    for (const priority of ['urgent', 'high', 'normal', 'low'] satisfies Priority[]) {
      const { id } = await rota.enqueue('rt', 1, { priority });
      expect((await rota.getJob(id))?.priority).toBe(priority);
    }
  });

  it('runAt in the future: scheduled at exactly that time', async () => {
    const runAt = new Date(Date.now() + 3_600_000);
    const { id } = await rota.enqueue('rt', 1, { runAt });
    const job = await rota.getJob(id);
    expect(job?.state).toBe('scheduled');
    expect(job?.runAt.getTime()).toBe(runAt.getTime());
  });

  it('runAt in the past: available at once', async () => {
    const runAt = new Date(Date.now() - 3_600_000);
    const { id } = await rota.enqueue('rt', 1, { runAt });
    const job = await rota.getJob(id);
    expect(job?.state).toBe('available');
    expect(job?.runAt.getTime()).toBe(runAt.getTime());
  });

  it('delayMs: runAt is the database time of the insert plus the delay', async () => {
    const { id } = await rota.enqueue('rt', 1, { delayMs: 60_000 });
    const job = await rota.getJob(id);
    expect(job?.state).toBe('scheduled');
    // created_at and run_at come from the same statement's now().
    expect((job?.runAt.getTime() ?? 0) - (job?.createdAt.getTime() ?? 0)).toBe(60_000);
  });

  it('delayMs 0 is available at once', async () => {
    const { id } = await rota.enqueue('rt', 1, { delayMs: 0 });
    expect((await rota.getJob(id))?.state).toBe('available');
  });

  it('maxAttempts and timeoutMs', async () => {
    const { id } = await rota.enqueue('rt', 1, { maxAttempts: 1, timeoutMs: 2_500 });
    expect(await rota.getJob(id)).toMatchObject({ maxAttempts: 1, timeoutMs: 2_500 });
  });

  it('all options together', async () => {
    const runAt = new Date(Date.now() + 60_000);
    const { id } = await rota.enqueue(
      'rt-all',
      { x: 1 },
      { tenant: 't1', priority: 'high', runAt, dedupKey: 'all-1', maxAttempts: 9, timeoutMs: 1_000 },
    );
    expect(await rota.getJob(id)).toMatchObject({
      queue: 'rt-all',
      tenant: 't1',
      priority: 'high',
      state: 'scheduled',
      payload: { x: 1 },
      dedupKey: 'all-1',
      maxAttempts: 9,
      timeoutMs: 1_000,
      runAt,
    });
  });

  it('names at the 128-character limit are accepted', async () => {
    const name = 'q'.repeat(128);
    const { id } = await rota.enqueue(name, 1, { tenant: 't'.repeat(128), dedupKey: 'k'.repeat(128) });
    expect(await rota.getJob(id)).toMatchObject({ queue: name, tenant: 't'.repeat(128), dedupKey: 'k'.repeat(128) });
  });

  it('a payload of exactly the default 1 MiB limit is accepted', async () => {
    const text = 'x'.repeat(1024 * 1024 - 2); // + 2 quotes = 1 MiB of JSON
    const { id } = await rota.enqueue('rt-big', text);
    expect((await rota.getJob(id))?.payload).toBe(text);
  });

  it('getJob of an unknown id is null', async () => {
    expect(await rota.getJob('9007199254740991')).toBeNull();
  });
});

describe('dedupKey', () => {
  it('a live duplicate is a no-op that returns the existing id', async () => {
    const first = await rota.enqueue('dd', { n: 1 }, { dedupKey: 'k1' });
    const before = await totalJobs(db);
    const second = await rota.enqueue('dd', { n: 2 }, { dedupKey: 'k1' });
    expect(second).toEqual({ id: first.id, deduplicated: true });
    expect(await totalJobs(db)).toBe(before);
    expect((await rota.getJob(first.id))?.payload).toEqual({ n: 1 });
  });

  it('a scheduled job holds its key too', async () => {
    const first = await rota.enqueue('dd', 1, { dedupKey: 'k-sched', delayMs: 60_000 });
    expect(await rota.enqueue('dd', 1, { dedupKey: 'k-sched' })).toEqual({ id: first.id, deduplicated: true });
  });

  it('keys are scoped by queue and tenant', async () => {
    const a = await rota.enqueue('dd', 1, { dedupKey: 'k2' });
    const b = await rota.enqueue('dd', 1, { dedupKey: 'k2', tenant: 'other' });
    const c = await rota.enqueue('dd-other', 1, { dedupKey: 'k2' });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect([a, b, c].every((r) => !r.deduplicated)).toBe(true);
  });

  it('once the job is finished (cancelled) the key is free again', async () => {
    const first = await rota.enqueue('dd', 1, { dedupKey: 'k3' });
    expect(await rota.cancel(first.id)).toBe(true);
    const second = await rota.enqueue('dd', 2, { dedupKey: 'k3' });
    expect(second.deduplicated).toBe(false);
    expect(second.id).not.toBe(first.id);
  });

  it('once the job is finished (completed by a worker) the key is free again', async () => {
    const worker = makeRota(db.url);
    const first = await rota.enqueue('dd-work', 1, { dedupKey: 'k4' });
    worker.work('dd-work', {}, () => 'done');
    await waitForState(rota, first.id, 'completed');
    const second = await rota.enqueue('dd-work', 2, { dedupKey: 'k4' });
    expect(second.deduplicated).toBe(false);
    expect(second.id).not.toBe(first.id);
    await waitForState(rota, second.id, 'completed');
    await worker.close();
  });
});

describe('enqueueMany', () => {
  it('returns ids in input order', async () => {
    const items = [
      { payload: { i: 0 }, tenant: 'b' },
      { payload: { i: 1 }, tenant: 'a', priority: 'urgent' as const },
      { payload: { i: 2 }, delayMs: 5_000 },
      { payload: { i: 3 }, tenant: 'a', maxAttempts: 2 },
    ];
    const results = await rota.enqueueMany('many', items);
    expect(results).toHaveLength(4);
    for (const [i, r] of results.entries()) {
      expect(r.deduplicated).toBe(false);
      const job = await rota.getJob(r.id);
      expect(job?.payload).toEqual({ i });
      expect(job?.tenant).toBe(items[i]?.tenant ?? 'default');
    }
    expect((await rota.getJob(results[1]?.id ?? ''))?.priority).toBe('urgent');
    expect((await rota.getJob(results[2]?.id ?? ''))?.state).toBe('scheduled');
    expect((await rota.getJob(results[3]?.id ?? ''))?.maxAttempts).toBe(2);
  });

  it('an empty list writes nothing', async () => {
    const before = await totalJobs(db);
    expect(await rota.enqueueMany('many', [])).toEqual([]);
    expect(await totalJobs(db)).toBe(before);
  });

  it('duplicate dedup keys inside one batch, and keys already live, resolve to one job', async () => {
    const live = await rota.enqueue('many-dd', 'live', { dedupKey: 'live' });
    const before = await totalJobs(db);
    const results = await rota.enqueueMany('many-dd', [
      { payload: 'a', dedupKey: 'x' },
      { payload: 'b', dedupKey: 'y' },
      { payload: 'c', dedupKey: 'x' },
      { payload: 'd' },
      { payload: 'e', dedupKey: 'live' },
      { payload: 'f', dedupKey: 'x', tenant: 'other' },
    ]);
    expect(results.map((r) => r.deduplicated)).toEqual([false, false, true, false, true, false]);
    expect(results[2]?.id).toBe(results[0]?.id);
    expect(results[4]?.id).toBe(live.id);
    expect(await totalJobs(db)).toBe(before + 4);
    expect((await rota.getJob(results[0]?.id ?? ''))?.payload).toBe('a');
  });

  it('more than 5,000 items go in several statements, ids in input order', async () => {
    const n = 12_001;
    const items = Array.from({ length: n }, (_, i) => ({ payload: { i }, tenant: `t${i % 7}` }));
    const before = await totalJobs(db);
    const results = await rota.enqueueMany('bulk', items);
    expect(results).toHaveLength(n);
    expect(await totalJobs(db)).toBe(before + n);
    const res = await db.sql.query<{ id: string; i: number }>(
      "SELECT id::text, (payload->>'i')::int AS i FROM rota.jobs WHERE queue = 'bulk'",
    );
    const byId = new Map(res.rows.map((r) => [r.id, r.i]));
    expect(results.map((r) => byId.get(r.id))).toEqual(items.map((it) => it.payload.i));
  });

  it('more than 5,000 items are all or nothing when a later statement fails', async () => {
    // A row the database rejects in the third statement (a test trigger stands in for any
    // database-side failure: constraint, disk, lost connection).
    await db.sql.query(`
      CREATE FUNCTION public.reject_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.payload ? 'boom' THEN RAISE EXCEPTION 'boom rejected'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_boom BEFORE INSERT ON rota.jobs FOR EACH ROW EXECUTE FUNCTION public.reject_boom();`);
    try {
      const items: Array<{ payload: Record<string, number> }> = Array.from({ length: 12_000 }, (_, i) => ({ payload: { i } }));
      items[11_000] = { payload: { boom: 1 } };
      const before = await totalJobs(db);
      await expect(rota.enqueueMany('bulk-fail', items)).rejects.toThrow(/boom rejected/);
      expect(await totalJobs(db)).toBe(before);
    } finally {
      await db.sql.query('DROP TRIGGER reject_boom ON rota.jobs; DROP FUNCTION public.reject_boom()');
    }
  });

  it('a few large payloads split by bytes (not by count) are all or nothing too', async () => {
    await db.sql.query(`
      CREATE FUNCTION public.reject_big_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.payload ? 'boom' THEN RAISE EXCEPTION 'boom rejected'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER reject_big_boom BEFORE INSERT ON rota.jobs FOR EACH ROW EXECUTE FUNCTION public.reject_big_boom();`);
    try {
      // 17 payloads of ~1 MB are more than one 16 MiB statement; the last one is rejected.
      const big = 'x'.repeat(1_000_000);
      const items: Array<{ payload: Record<string, string> }> = Array.from({ length: 17 }, () => ({ payload: { big } }));
      items[16] = { payload: { big, boom: '1' } };
      const before = await totalJobs(db);
      await expect(rota.enqueueMany('bulk-bytes', items)).rejects.toThrow(/boom rejected/);
      expect(await totalJobs(db)).toBe(before);
    } finally {
      await db.sql.query('DROP TRIGGER reject_big_boom ON rota.jobs; DROP FUNCTION public.reject_big_boom()');
    }
  });
});

describe("enqueue inside the caller's transaction", () => {
  it('rollback leaves no job; commit keeps it', async () => {
    const client = await db.sql.connect();
    try {
      const before = await totalJobs(db);
      await client.query('BEGIN');
      const rolled = await rota.enqueue('tx', { n: 1 }, { client });
      const rolledMany = await rota.enqueueMany('tx', [{ payload: 2 }, { payload: 3 }], { client });
      await client.query('ROLLBACK');
      expect(await rota.getJob(rolled.id)).toBeNull();
      for (const r of rolledMany) expect(await rota.getJob(r.id)).toBeNull();
      expect(await totalJobs(db)).toBe(before);

      await client.query('BEGIN');
      const kept = await rota.enqueue('tx', { n: 4 }, { client });
      const keptMany = await rota.enqueueMany('tx', [{ payload: 5 }, { payload: 6 }], { client });
      // Not visible outside the transaction before commit.
      expect(await rota.getJob(kept.id)).toBeNull();
      await client.query('COMMIT');
      expect((await rota.getJob(kept.id))?.payload).toEqual({ n: 4 });
      expect((await rota.getJob(keptMany[1]?.id ?? ''))?.payload).toBe(6);
      expect(await totalJobs(db)).toBe(before + 3);
    } finally {
      client.release();
    }
  });

  it('a bulk enqueue of more than 5,000 items in the caller transaction rolls back with it', async () => {
    const client = await db.sql.connect();
    try {
      const before = await totalJobs(db);
      await client.query('BEGIN');
      const results = await rota.enqueueMany(
        'tx-bulk',
        Array.from({ length: 6_000 }, (_, i) => ({ payload: i })),
        { client },
      );
      expect(results).toHaveLength(6_000);
      await client.query('ROLLBACK');
      expect(await totalJobs(db)).toBe(before);
    } finally {
      client.release();
    }
  });

  it('a job committed by the application is then worked', async () => {
    const worker = makeRota(db.url);
    worker.work('tx-work', {}, (job) => ({ got: job.payload }));
    const client = await db.sql.connect();
    let id: string;
    try {
      await client.query('BEGIN');
      await client.query('SELECT 1'); // stands in for the application's own writes
      ({ id } = await rota.enqueue('tx-work', 'hello', { client }));
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await waitForState(rota, id, 'completed')).result).toEqual({ got: 'hello' });
    await worker.close();
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../src/admin/jobs.js';
import { PermanentError, type Rota } from '../../src/index.js';
import type { TestDb } from '../support/db.js';
import { waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';
import { actualCounts, expectCountersExact } from './helpers.js';

let db: TestDb;
let rota: Rota;

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
});

async function all(filter: Parameters<Rota['admin']['jobs']['list']>[0], limit = 7, scanLimit?: number): Promise<JobSummary[]> {
  const out: JobSummary[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await rota.admin.jobs.list(filter, { limit, cursor, scanLimit });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

async function expectCheapCountsExact(): Promise<void> {
  const actual = await actualCounts(db.sql);
  for (const q of await rota.admin.queues.list()) {
    expect({ queue: q.queue, waiting: q.waiting, running: q.running }).toEqual({
      queue: q.queue,
      ...(actual[q.queue] ?? { waiting: 0, running: 0 }),
    });
  }
}

describe('jobs read model and admin writes', () => {
  it('lists live then finished jobs by filter, paginated without gaps or repeats', async () => {
    const tenants = ['a', 'b', 'c'];
    await rota.enqueueMany(
      'list',
      Array.from({ length: 40 }, (_, i) => ({
        payload: { n: i, kind: i % 4 === 0 ? 'fail' : 'ok', nested: { tag: `t${i % 5}` } },
        tenant: tenants[i % 3],
        priority: i % 2 ? ('high' as const) : ('normal' as const),
      })),
    );
    const w = rota.work<{ kind: string; n: number }>('list', { concurrency: 4 }, async (job) => {
      if (job.payload.kind === 'fail') throw new PermanentError(`bad ${job.payload.n}`);
      return { n: job.payload.n };
    });
    await waitFor(
      async () => (await rota.admin.jobs.list({ queue: 'list', state: ['completed', 'dead'] }, { limit: 500 })).items.length === 40,
    );
    await w.stop();
    await rota.enqueueMany(
      'list',
      Array.from({ length: 12 }, (_, i) => ({ payload: { n: 100 + i, kind: 'late' }, tenant: tenants[i % 3] })),
    );

    const everything = await all({ queue: 'list' });
    expect(everything).toHaveLength(52);
    expect(new Set(everything.map((j) => j.id)).size).toBe(52);
    // Live first (newest id first), then finished (newest finish first).
    expect(everything.slice(0, 12).every((j) => j.state === 'available')).toBe(true);
    const ids = everything.slice(0, 12).map((j) => Number(j.id));
    expect(ids).toEqual([...ids].sort((x, y) => y - x));

    const deadB = await all({ queue: 'list', tenant: 'b', state: 'dead' }, 2);
    const expected = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 4 === 0 && i % 3 === 1);
    expect(deadB.map((j) => j.tenant)).toEqual(expected.map(() => 'b'));
    expect(deadB).toHaveLength(expected.length);

    const high = await all({ queue: 'list', priority: 'high' });
    expect(high).toHaveLength(20);
    expect(high.every((j) => j.priority === 'high')).toBe(true);
  });

  it('payload containment finds every match across bounded scans', async () => {
    // scanLimit 5: each page examines at most 5 rows; following the cursors still finds all.
    const tagged = await all({ queue: 'list', payload: { nested: { tag: 't3' } } }, 50, 5);
    const direct = await db.sql.query<{ id: string }>(
      `SELECT id FROM rota.jobs_done WHERE payload @> '{"nested":{"tag":"t3"}}' UNION ALL SELECT id FROM rota.jobs WHERE payload @> '{"nested":{"tag":"t3"}}'`,
    );
    expect(tagged.map((j) => j.id).sort()).toEqual(direct.rows.map((r) => r.id).sort());
    expect(tagged.length).toBe(8);
    const late = await all({ queue: 'list', payload: { kind: 'late' } }, 50, 3);
    expect(late).toHaveLength(12);
  });

  it('a time range selects by creation (live) and finish (history)', async () => {
    const future = new Date(Date.now() + 3_600_000);
    expect(await all({ queue: 'list', from: future })).toEqual([]);
    expect(await all({ queue: 'list', to: future })).toHaveLength(52);
  });

  it('detail has attempts with worker, start, end and error', async () => {
    const [dead] = (await rota.admin.jobs.list({ queue: 'list', state: 'dead' }, { limit: 1 })).items;
    const job = await rota.admin.jobs.get(dead?.id as string);
    expect(job?.attempts).toHaveLength(1);
    const a = job?.attempts[0];
    expect(a?.worker).toBe(rota.workerId);
    expect(a?.outcome).toBe('dead');
    expect(a?.error?.message).toMatch(/^bad \d+$/);
    expect(new Date(a?.endedAt as string).getTime()).toBeGreaterThanOrEqual(new Date(a?.startedAt as string).getTime());
    expect(await rota.admin.jobs.get(dead?.id as string, 'someone-else')).toBeNull();
  });

  it('retry, cancel and delete keep the claim counters exact, one by one and in bulk', async () => {
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
    const dead = await all({ queue: 'list', state: 'dead' });
    expect(await rota.admin.jobs.retry([dead[0]?.id as string])).toBe(1);
    expect(await rota.admin.jobs.retry([dead[0]?.id as string])).toBe(0); // live now
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
    const retried = await rota.admin.jobs.get(dead[0]?.id as string);
    expect(retried?.state).toBe('available');
    expect(retried?.attempt).toBe(0);
    expect(retried?.attempts).toHaveLength(1); // history kept

    const waiting = await all({ queue: 'list', state: 'available' });
    const c = await rota.admin.jobs.cancel([waiting[0]?.id as string]);
    expect(c).toEqual({ cancelled: 1, requested: 0 });
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
    expect(await rota.admin.jobs.delete([waiting[1]?.id as string, dead[1]?.id as string])).toBe(2);
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);

    const dry = await rota.admin.jobs.bulk('retry', { queue: 'list', tenant: 'a' }, { dryRun: true });
    const deadA = (await all({ queue: 'list', tenant: 'a', state: ['dead', 'cancelled'] })).length;
    expect(dry.count).toBe(deadA);
    expect(await all({ queue: 'list', tenant: 'a', state: ['dead', 'cancelled'] })).toHaveLength(deadA); // dry run wrote nothing
    expect((await rota.admin.jobs.bulk('retry', { queue: 'list', tenant: 'a' })).count).toBe(deadA);
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);

    const liveB = (await all({ queue: 'list', tenant: 'b', state: ['available', 'scheduled'] })).length;
    expect((await rota.admin.jobs.bulk('cancel', { queue: 'list', tenant: 'b' })).count).toBe(liveB);
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
    const doneC = (await all({ queue: 'list', tenant: 'c' })).length;
    expect((await rota.admin.jobs.bulk('delete', { queue: 'list', tenant: 'c' }, { dryRun: true })).count).toBe(doneC);
    expect((await rota.admin.jobs.bulk('delete', { queue: 'list', tenant: 'c' })).count).toBe(doneC);
    expect(await all({ queue: 'list', tenant: 'c' })).toEqual([]);
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
  });

  it('cancelling a running job aborts its signal and it ends cancelled', async () => {
    let aborted: unknown = null;
    const started: string[] = [];
    const w = rota.work('block', { concurrency: 2 }, async (job, ctx) => {
      started.push(job.id);
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      aborted = ctx.signal.reason;
    });
    const { id } = await rota.enqueue('block', { x: 1 });
    await waitFor(() => started.includes(id));
    await expectCheapCountsExact();
    expect(await rota.admin.jobs.cancel([id])).toEqual({ cancelled: 0, requested: 1 });
    await waitFor(async () => (await rota.getJob(id))?.state === 'cancelled');
    const job = await rota.admin.jobs.get(id);
    expect(job?.attempts.at(-1)?.error?.message).toMatch(/cancelled by an operator/);
    expect(aborted).toBeNull(); // the handler never got past its await: the abort rejected it
    await w.stop();
    await sleep(10);
    await expectCheapCountsExact();
    await expectCountersExact(db.sql);
  });

  it('rejects bad filters and cursors naming the field', async () => {
    await expect(rota.admin.jobs.list({ state: 'nope' as never })).rejects.toMatchObject({ field: 'state' });
    await expect(rota.admin.jobs.list({}, { cursor: 'garbage!' })).rejects.toMatchObject({ field: 'cursor' });
    await expect(rota.admin.jobs.list({}, { cursor: Buffer.from('{"p":"l","id":"x"}').toString('base64url') })).rejects.toMatchObject({
      field: 'cursor',
    });
    await expect(rota.admin.jobs.list({}, { limit: 501 })).rejects.toMatchObject({ field: 'limit' });
    await expect(rota.admin.jobs.list({ payload: [1] as never })).rejects.toMatchObject({ field: 'payload' });
    await expect(rota.admin.jobs.retry(['0'])).rejects.toMatchObject({ field: 'id' });
  });
});

describe('job logs and progress', () => {
  it('keeps ctx.log lines and ctx.progress with the job, bounded to the newest 100 lines', async () => {
    const w = rota.work('logs', { concurrency: 2 }, async (_job, ctx) => {
      for (let i = 0; i < 130; i++) ctx.log.info({ i }, `step ${i}`);
      ctx.progress({ done: 130, of: 130 });
      ctx.log.warn({}, 'almost done');
      return 'ok';
    });
    const { id } = await rota.enqueue('logs', {});
    await waitFor(async () => (await rota.getJob(id))?.state === 'completed');
    await w.stop();
    const job = await rota.admin.jobs.get(id);
    expect(job?.progress).toEqual({ done: 130, of: 130 });
    expect(job?.logs).toHaveLength(100);
    expect(job?.logs.at(-1)).toMatchObject({ level: 'warn', msg: 'almost done' });
    expect(job?.logs[0]).toMatchObject({ level: 'info', msg: 'step 31', data: { i: 31 } });
    // Written in batches: one job_logs row per job, not a row per line.
    const rows = await db.sql.query('SELECT count(*)::int AS n FROM rota.job_logs WHERE job_id = $1', [id]);
    expect(rows.rows[0]).toEqual({ n: 1 });
  });

  it('a large log line is cut, and 64 KiB per job is the bound', async () => {
    const w = rota.work('biglogs', { concurrency: 1 }, async (_job, ctx) => {
      for (let i = 0; i < 60; i++) ctx.log.info({}, `${i} ${'x'.repeat(2000)}`);
      ctx.log.info({}, 'y'.repeat(10_000));
    });
    const { id } = await rota.enqueue('biglogs', {});
    await waitFor(async () => (await rota.getJob(id))?.state === 'completed');
    await w.stop();
    const job = await rota.admin.jobs.get(id);
    const bytes = JSON.stringify(job?.logs).length;
    expect(bytes).toBeLessThanOrEqual(64 * 1024 + 100 * 2);
    expect(job?.logs.at(-1)?.msg).toMatch(/truncated/);
    expect(job?.logs.length).toBeLessThan(61);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { JobAttempt, JobDetail } from '../../src/admin/jobs.js';
import { PermanentError, type Rota } from '../../src/index.js';
import { startServer, type TestServer, token } from '../server/helpers.js';
import { runCli } from '../support/cli.js';
import { type TestDb, waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

// A job's attempt history as every reader returns it (admin API, REST, CLI), pinned to
// the format move_jobs() wrote before a clean completion's entry was derived on read
// (migration 0013): one entry per attempt that ran, {attempt, worker, startedAt,
// endedAt, outcome, error}, timestamps as PostgreSQL's jsonb renders a timestamptz.

const WORKER = 'hist-worker-1';
// jsonb's own key order (shorter keys first), which the stored entries always had.
const KEYS = ['error', 'worker', 'attempt', 'endedAt', 'outcome', 'startedAt'];
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}$/;

let db: TestDb;
let rota: Rota;
let server: TestServer;
let viewer: string;
const ids: Record<'first' | 'third' | 'dead' | 'cancelled' | 'unstorable' | 'legacy', string> = {
  first: '',
  third: '',
  dead: '',
  cancelled: '',
  unstorable: '',
  legacy: '',
};

/** The row's timestamps as jsonb renders them (what the writer put in startedAt / endedAt). */
async function rowTimes(id: string): Promise<{ started: string; finished: string }> {
  const r = await db.sql.query<{ started: string; finished: string }>(
    `SELECT to_jsonb(started_at) #>> '{}' AS started, to_jsonb(finished_at) #>> '{}' AS finished FROM rota.jobs_done WHERE id = $1`,
    [id],
  );
  return r.rows[0] as { started: string; finished: string };
}

/** Every reader's view of one job's attempts: admin API, REST, CLI (all the same). */
async function readAll(id: string): Promise<JobAttempt[]> {
  const detail = (await rota.admin.jobs.get(id)) as JobDetail;
  const rest = await server.call<{ attempts: JobAttempt[] }>('GET', `/api/jobs/${id}`, { token: viewer });
  expect(rest.status).toBe(200);
  expect(rest.body.attempts).toEqual(detail.attempts);
  return detail.attempts;
}

function expectEntry(a: JobAttempt | undefined, want: Omit<JobAttempt, 'startedAt' | 'endedAt'>): void {
  expect(Object.keys(a ?? {})).toEqual(KEYS);
  expect(a?.startedAt).toMatch(TS);
  expect(a?.endedAt).toMatch(TS);
  expect(new Date(a?.endedAt as string).getTime()).toBeGreaterThanOrEqual(new Date(a?.startedAt as string).getTime());
  const { startedAt: _s, endedAt: _e, ...rest } = a as JobAttempt;
  expect(rest).toEqual(want);
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url, { workerId: WORKER, leaseMs: 5_000 });
  server = await startServer(rota);
  viewer = await token(rota, 'eyes', 'viewer');
  const enq = async (n: string, maxAttempts: number) => (await rota.enqueue('hist', { n }, { maxAttempts })).id;
  ids.first = await enq('first', 5);
  ids.third = await enq('third', 5);
  ids.dead = await enq('dead', 2);
  ids.unstorable = await enq('unstorable', 5);
  ids.cancelled = await enq('cancelled', 5);
  const started = new Set<string>();
  const w = rota.work<{ n: string }>('hist', { concurrency: 5, retry: { baseMs: 20, jitter: 0 } }, async (job, ctx) => {
    started.add(job.payload.n);
    switch (job.payload.n) {
      case 'third':
        if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
        return { done: job.attempt };
      case 'dead':
        if (job.attempt < 2) throw new Error('once');
        throw new PermanentError('never');
      case 'unstorable':
        return { s: 'nul \u0000 char' }; // jsonb rejects \u0000: the batcher stores a note instead
      case 'cancelled':
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      default:
        return { ok: true };
    }
  });
  await waitFor(() => started.has('cancelled'));
  expect(await rota.admin.jobs.cancel([ids.cancelled])).toEqual({ cancelled: 0, requested: 1 });
  await waitFor(async () => {
    const states = await Promise.all(
      Object.values(ids)
        .filter(Boolean)
        .map(async (id) => (await rota.getJob(id))?.state),
    );
    return states.every((s) => s === 'completed' || s === 'dead' || s === 'cancelled');
  });
  await w.stop();
  // A clean completion finished before migration 0013: its whole history in `attempts`,
  // no worker kept. Readers return it as stored.
  const legacy = await db.sql.query<{ id: string }>(
    `INSERT INTO rota.jobs_done (id, queue, tenant, priority, state, payload, result, attempt, max_attempts, run_at, created_at,
                                 started_at, finished_at, attempts)
     VALUES (900000001, 'hist', 'default', 2, 'completed', '{"n":"legacy"}', '1', 1, 5, now(), now(), now(), now(),
             jsonb_build_array(jsonb_build_object('attempt', 1, 'worker', 'old-host:1:abc', 'startedAt', now() - interval '1 second',
                               'endedAt', now(), 'outcome', 'complete', 'error', NULL::jsonb)))
     RETURNING id`,
  );
  ids.legacy = legacy.rows[0]?.id as string;
});

describe('attempt history (a clean completion derived on read, the rest stored)', () => {
  it('a job completed on its first attempt: one entry, as written before', async () => {
    const job = await rota.getJob(ids.first);
    expect(job).toMatchObject({ state: 'completed', attempt: 1, result: { ok: true }, errors: [] });
    const attempts = await readAll(ids.first);
    expect(attempts).toHaveLength(1);
    expectEntry(attempts[0], { attempt: 1, worker: WORKER, outcome: 'complete', error: null });
    const t = await rowTimes(ids.first);
    expect(attempts[0]?.startedAt).toBe(t.started);
    expect(attempts[0]?.endedAt).toBe(t.finished);
    expect(new Date(attempts[0]?.startedAt as string).getTime()).toBe(job?.startedAt?.getTime());
    expect(new Date(attempts[0]?.endedAt as string).getTime()).toBe(job?.finishedAt?.getTime());
  });

  it('a job completed after two failures: the failures stored with their errors, then the completion', async () => {
    const job = await rota.getJob(ids.third);
    expect(job).toMatchObject({ state: 'completed', attempt: 3, result: { done: 3 } });
    const attempts = await readAll(ids.third);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    for (const n of [1, 2]) {
      const a = attempts[n - 1];
      expectEntry({ ...(a as JobAttempt), error: null }, { attempt: n, worker: WORKER, outcome: 'retry', error: null });
      expect(a?.error).toMatchObject({ name: 'Error', message: `boom ${n}` });
    }
    expectEntry(attempts[2], { attempt: 3, worker: WORKER, outcome: 'complete', error: null });
    expect(attempts[2]?.endedAt).toBe((await rowTimes(ids.third)).finished);
    // Each attempt started after the one before ended.
    for (let i = 1; i < 3; i++) {
      expect(new Date(attempts[i]?.startedAt as string).getTime()).toBeGreaterThanOrEqual(
        new Date(attempts[i - 1]?.endedAt as string).getTime(),
      );
    }
  });

  it('a dead job and a cancelled one keep every entry stored, errors included', async () => {
    const dead = await readAll(ids.dead);
    expect((await rota.getJob(ids.dead))?.state).toBe('dead');
    expect(dead.map((a) => [a.attempt, a.outcome, a.error?.message])).toEqual([
      [1, 'retry', 'once'],
      [2, 'dead', 'never'],
    ]);
    for (const a of dead) expectEntry({ ...a, error: null }, { attempt: a.attempt, worker: WORKER, outcome: a.outcome, error: null });
    expect(dead[1]?.endedAt).toBe((await rowTimes(ids.dead)).finished);

    const cancelled = await readAll(ids.cancelled);
    expect((await rota.getJob(ids.cancelled))?.state).toBe('cancelled');
    expect(cancelled).toHaveLength(1);
    expect(Object.keys(cancelled[0] ?? {})).toEqual(KEYS);
    expect(cancelled[0]).toMatchObject({ attempt: 1, worker: WORKER });
    expect(cancelled[0]?.error?.message).toMatch(/cancelled by an operator/);
  });

  it('a completion that carries an error (its result could not be stored) keeps its entry stored', async () => {
    const job = await rota.getJob(ids.unstorable);
    expect(job).toMatchObject({ state: 'completed', result: null });
    const attempts = await readAll(ids.unstorable);
    expect(attempts).toHaveLength(1);
    expectEntry({ ...(attempts[0] as JobAttempt), error: null }, { attempt: 1, worker: WORKER, outcome: 'complete', error: null });
    expect(attempts[0]?.error).toMatchObject({ name: 'UnstorableValue' });
  });

  it('only clean completions keep the worker instead of an entry; older rows come back as stored', async () => {
    const rows = await db.sql.query<{ id: string; worker: string | null; n: number }>(
      'SELECT id, worker, jsonb_array_length(attempts) AS n FROM rota.jobs_done ORDER BY id',
    );
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    expect(byId.get(ids.first)).toMatchObject({ worker: WORKER, n: 0 });
    expect(byId.get(ids.third)).toMatchObject({ worker: WORKER, n: 2 });
    for (const k of ['dead', 'cancelled', 'unstorable', 'legacy'] as const) expect(byId.get(ids[k])?.worker).toBeNull();

    const stored = await db.sql.query<{ attempts: JobAttempt[] }>('SELECT attempts FROM rota.jobs_done WHERE id = $1', [ids.legacy]);
    const legacy = await readAll(ids.legacy);
    expect(legacy).toEqual(stored.rows[0]?.attempts);
    expectEntry(legacy[0], { attempt: 1, worker: 'old-host:1:abc', outcome: 'complete', error: null });
  });

  it('the CLI shows the same history', async () => {
    const out = await runCli(['job', ids.third], { DATABASE_URL: db.url });
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as { attempts: JobAttempt[] }).attempts).toEqual(await readAll(ids.third));
  });

  it('migrating below 0013 writes the derived entries back, and migrating again reads the same', async () => {
    const before = await Promise.all(Object.values(ids).map((id) => readAll(id)));
    expect(await rota.migrateDown(12)).toEqual([13]);
    for (const [i, id] of Object.values(ids).entries()) {
      const r = await db.sql.query<{ attempts: JobAttempt[] }>('SELECT attempts FROM rota.jobs_done WHERE id = $1', [id]);
      expect(r.rows[0]?.attempts).toEqual(before[i]);
    }
    await rota.migrate();
    expect(await Promise.all(Object.values(ids).map((id) => readAll(id)))).toEqual(before);
  });
});

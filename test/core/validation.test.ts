import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EnqueueItem, type EnqueueOptions, Rota, type RotaOptions, ValidationError, type WorkOptions } from '../../src/index.js';
import { makeRota, migratedDatabase, recordingLogger, totalJobs } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const small = makeRota(db.url, { maxPayloadBytes: 100 });

/** Runs `fn`, expects a ValidationError naming `field`, and returns it. */
async function rejects(fn: () => unknown, field: string): Promise<ValidationError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected a ValidationError for ${field}`).toBeInstanceOf(ValidationError);
  const err = caught as ValidationError;
  expect(err.field).toBe(field);
  expect(err.name).toBe('ValidationError');
  expect(err.message.startsWith(`${field}: `)).toBe(true);
  return err;
}

const cycle: Record<string, unknown> = { a: 1 };
cycle.self = cycle;
const long = 'x'.repeat(129);
/** An input the types forbid, for checking what happens at run time. */
const bad = (v: unknown) => v as never;

// [description, payload, options, field]
const enqueueCases: Array<[string, unknown, EnqueueOptions, string]> = [
  ['payload: a function', () => 1, {}, 'payload'],
  ['payload: a BigInt', 10n, {}, 'payload'],
  ['payload: a nested BigInt', { n: [1n] }, {}, 'payload'],
  ['payload: a cycle', cycle, {}, 'payload'],
  ['payload: undefined', undefined, {}, 'payload'],
  ['payload: a symbol', Symbol('s'), {}, 'payload'],
  ['payload: the NUL character jsonb cannot hold', { s: 'a\u0000b' }, {}, 'payload'],
  ['payload: over the default 1 MiB', 'x'.repeat(1024 * 1024 - 1), {}, 'payload'],
  ['payload: over 1 MiB in UTF-8 bytes, not characters', 'é'.repeat(600_000), {}, 'payload'],
  ['tenant: empty', 1, { tenant: '' }, 'tenant'],
  ['tenant: 129 characters', 1, { tenant: long }, 'tenant'],
  ['tenant: not a string', 1, { tenant: bad(7) }, 'tenant'],
  ['tenant: a control character', 1, { tenant: 'a\nb' }, 'tenant'],
  ['priority: unknown', 1, { priority: bad('critical') }, 'priority'],
  ['priority: wrong case', 1, { priority: bad('URGENT') }, 'priority'],
  ['priority: a number', 1, { priority: bad(0) }, 'priority'],
  ['runAt: a string', 1, { runAt: bad('2030-01-01') }, 'runAt'],
  ['runAt: a number', 1, { runAt: bad(Date.now()) }, 'runAt'],
  ['runAt: an invalid Date', 1, { runAt: new Date('not a date') }, 'runAt'],
  ['runAt: beyond year 9999', 1, { runAt: new Date(8.64e15) }, 'runAt'],
  ['runAt: before year 1', 1, { runAt: new Date(-8.64e15) }, 'runAt'],
  ['delayMs: negative', 1, { delayMs: -1 }, 'delayMs'],
  ['delayMs: NaN', 1, { delayMs: Number.NaN }, 'delayMs'],
  ['delayMs: Infinity', 1, { delayMs: Number.POSITIVE_INFINITY }, 'delayMs'],
  ['delayMs: a string', 1, { delayMs: bad('5') }, 'delayMs'],
  ['delayMs: beyond what a timestamp holds', 1, { delayMs: 1e20 }, 'delayMs'],
  ['delayMs: together with runAt', 1, { delayMs: 5, runAt: new Date() }, 'delayMs'],
  ['maxAttempts: 0', 1, { maxAttempts: 0 }, 'maxAttempts'],
  ['maxAttempts: negative', 1, { maxAttempts: -3 }, 'maxAttempts'],
  ['maxAttempts: fractional', 1, { maxAttempts: 1.5 }, 'maxAttempts'],
  ['maxAttempts: a string', 1, { maxAttempts: bad('3') }, 'maxAttempts'],
  ['timeoutMs: 0', 1, { timeoutMs: 0 }, 'timeoutMs'],
  ['timeoutMs: negative', 1, { timeoutMs: -5 }, 'timeoutMs'],
  ['timeoutMs: fractional', 1, { timeoutMs: 2.5 }, 'timeoutMs'],
  ['dedupKey: empty', 1, { dedupKey: '' }, 'dedupKey'],
  ['dedupKey: 129 characters', 1, { dedupKey: long }, 'dedupKey'],
  ['dedupKey: not a string', 1, { dedupKey: bad(5) }, 'dedupKey'],
  ['an unknown option (a misspelt priority)', 1, bad({ priorty: 'high' }), 'priorty'],
  ['an unknown option (delay for delayMs)', 1, bad({ delay: 500 }), 'delay'],
];

const queueCases: Array<[string, unknown]> = [
  ['empty', ''],
  ['129 characters', long],
  ['not a string', 42],
  ['a control character', 'a\u0000b'],
];

describe('every bad input throws ValidationError naming the field and writes nothing', () => {
  let before = 0;
  beforeAll(async () => {
    before = await totalJobs(db);
  });
  afterAll(async () => {
    // Checked once more over the whole file: not one row from any rejected call.
    expect(await totalJobs(db)).toBe(before);
  });

  it.each(enqueueCases)('enqueue %s', async (_name, payload, opts, field) => {
    await rejects(() => rota.enqueue('valid', payload, opts), field);
    expect(await totalJobs(db)).toBe(before);
  });

  it.each(enqueueCases)('enqueueMany items[3] %s', async (_name, payload, opts, field) => {
    const items: EnqueueItem[] = [{ payload: 0 }, { payload: 1 }, { payload: 2 }, { ...opts, payload }, { payload: 4 }];
    await rejects(() => rota.enqueueMany('valid', items), `items[3].${field}`);
    expect(await totalJobs(db)).toBe(before);
  });

  it.each(queueCases)('queue name: %s', async (_name, queue) => {
    await rejects(() => rota.enqueue(bad(queue), 1), 'queue');
    await rejects(() => rota.enqueueMany(bad(queue), [{ payload: 1 }]), 'queue');
    expect(await totalJobs(db)).toBe(before);
  });

  it('maxPayloadBytes is configurable', async () => {
    await rejects(() => small.enqueue('valid', 'x'.repeat(99)), 'payload'); // 101 bytes of JSON
    await rejects(() => small.enqueueMany<unknown>('valid', [{ payload: 1 }, { payload: 'x'.repeat(200) }]), 'items[1].payload');
    expect(await totalJobs(db)).toBe(before);
    // Exactly at the limit is fine (written, then removed so the file-wide count holds).
    const { id } = await small.enqueue('valid-small', 'x'.repeat(98));
    expect((await small.getJob(id))?.payload).toBe('x'.repeat(98));
    await db.sql.query('DELETE FROM rota.jobs WHERE id = $1', [id]);
  });

  it('a misspelt option is named, with the option it was probably meant to be', async () => {
    const err = await rejects(() => rota.enqueue('valid', 1, bad({ priorty: 'high' })), 'priorty');
    expect(err.message).toContain('did you mean priority?');
    await rejects(() => rota.enqueueMany('valid', [{ payload: 1 }], bad({ tenant: 'a' })), 'opts.tenant');
  });

  it('enqueueMany: items that are not an array, or not objects', async () => {
    await rejects(() => rota.enqueueMany('valid', bad({ payload: 1 })), 'items');
    await rejects(() => rota.enqueueMany('valid', bad([{ payload: 1 }, null])), 'items[1]');
    await rejects(() => rota.enqueueMany('valid', bad([{ payload: 1 }, 'text'])), 'items[1]');
    expect(await totalJobs(db)).toBe(before);
  });

  it('enqueueMany: one bad item among thousands rejects all of them', async () => {
    const items: EnqueueItem[] = Array.from({ length: 7_000 }, (_, i) => ({ payload: i }));
    items[6_999] = { payload: 1, tenant: '' };
    await rejects(() => rota.enqueueMany('valid', items), 'items[6999].tenant');
    expect(await totalJobs(db)).toBe(before);
  });

  it('getJob and cancel: ids that are not positive integers', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '', '99999999999999999999']) {
      await rejects(() => rota.getJob(id), 'id');
      await rejects(() => rota.cancel(id), 'id');
    }
  });
});

describe('bad options to new Rota', () => {
  const url = db.url;
  const cases: Array<[string, RotaOptions | undefined, string]> = [
    ['no options', undefined, 'connectionString'],
    ['neither connectionString nor pool', {}, 'connectionString'],
    ['poolSize 0', { connectionString: url, poolSize: 0 }, 'poolSize'],
    ['poolSize fractional', { connectionString: url, poolSize: 1.5 }, 'poolSize'],
    ['schema with capitals and a dash', { connectionString: url, schema: 'Bad-Name' }, 'schema'],
    ['schema empty', { connectionString: url, schema: '' }, 'schema'],
    ['schema with SQL in it', { connectionString: url, schema: 'x"; DROP TABLE y; --' }, 'schema'],
    ['maxPayloadBytes 0', { connectionString: url, maxPayloadBytes: 0 }, 'maxPayloadBytes'],
    ['defaultMaxAttempts 0', { connectionString: url, defaultMaxAttempts: 0 }, 'defaultMaxAttempts'],
    ['leaseMs too short', { connectionString: url, leaseMs: 10 }, 'leaseMs'],
    ['rescueIntervalMs 0', { connectionString: url, rescueIntervalMs: 0 }, 'rescueIntervalMs'],
    ['pollIntervalMs 1', { connectionString: url, pollIntervalMs: 1 }, 'pollIntervalMs'],
    ['batchSize 0', { connectionString: url, batchSize: 0 }, 'batchSize'],
    ['batchIntervalMs negative', { connectionString: url, batchIntervalMs: -1 }, 'batchIntervalMs'],
    ['maxPrefetch NaN', { connectionString: url, maxPrefetch: Number.NaN }, 'maxPrefetch'],
    ['retentionMs under a minute', { connectionString: url, retentionMs: 1_000 }, 'retentionMs'],
    ['shutdownTimeoutMs negative', { connectionString: url, shutdownTimeoutMs: -1 }, 'shutdownTimeoutMs'],
  ];
  it.each(cases)('%s', async (_name, opts, field) => {
    await rejects(() => new Rota(bad({ logger: recordingLogger(), ...opts })), field);
  });
  it('no options object at all', async () => {
    await rejects(() => new Rota(bad(undefined)), 'connectionString');
  });
});

describe('bad options to rota.work', () => {
  const handler = () => null;
  const cases: Array<[string, string, WorkOptions, unknown, string]> = [
    ['empty queue', '', {}, handler, 'queue'],
    ['over-long queue', long, {}, handler, 'queue'],
    ['handler not a function', 'w', {}, 'nope', 'handler'],
    ['concurrency 0', 'w', { concurrency: 0 }, handler, 'concurrency'],
    ['concurrency negative', 'w', { concurrency: -1 }, handler, 'concurrency'],
    ['concurrency fractional', 'w', { concurrency: 1.5 }, handler, 'concurrency'],
    ['concurrency over 10,000', 'w', { concurrency: 10_001 }, handler, 'concurrency'],
    ['retry.baseMs negative', 'w', { retry: { baseMs: -1 } }, handler, 'retry.baseMs'],
    ['retry.maxMs NaN', 'w', { retry: { maxMs: Number.NaN } }, handler, 'retry.maxMs'],
    ['retry.jitter above 1', 'w', { retry: { jitter: 2 } }, handler, 'retry.jitter'],
    ['retry.jitter negative', 'w', { retry: { jitter: -0.1 } }, handler, 'retry.jitter'],
    ['timeoutMs 0', 'w', { timeoutMs: 0 }, handler, 'timeoutMs'],
  ];
  it.each(cases)('%s', async (_name, queue, opts, h, field) => {
    // A Rota that never started a runtime: a rejected work() call must not start one.
    const r = makeRota(db.url);
    await rejects(() => r.work(queue, opts, bad(h)), field);
    expect(r.stats().claims).toBe(0);
    await r.close();
  });

  it('a second worker for the same queue in one process', async () => {
    const r = makeRota(db.url);
    r.work('twice', {}, handler);
    await rejects(() => r.work('twice', {}, handler), 'queue');
    await r.close();
  });

  it('work after close', async () => {
    const r = makeRota(db.url);
    await r.close();
    expect(() => r.work('closed', {}, handler)).toThrow(/closed/);
  });
});

import { describe, expect, it } from 'vitest';
import type { FlushStats } from '../../src/index.js';
import { type FinishUpdate, StatusBatcher } from '../../src/worker/batcher.js';
import { makeRota, migratedDatabase, recordingLogger, stateCounts, waitFor, waitForState } from './helpers.js';

const db = await migratedDatabase();
const client = makeRota(db.url);

describe('status batcher', () => {
  it('a poisoned row does not sink its batch: the other rows land, the poisoned job still ends', async () => {
    const log = recordingLogger();
    // 50 updates fill one batch at once; the long interval keeps them from going out in pieces.
    const rota = makeRota(db.url, { batchSize: 50, batchIntervalMs: 5_000, logger: log });
    const flushes: FlushStats[] = [];
    rota.on('flush', (s) => flushes.push(s));
    const ids = (
      await client.enqueueMany(
        'poison',
        Array.from({ length: 50 }, (_, i) => ({ payload: i })),
      )
    ).map((r) => r.id);
    const poisoned = 17;
    rota.work('poison', { concurrency: 50 }, (job) =>
      // jsonb rejects the NUL character: this result cannot be stored.
      job.payload === poisoned ? { text: 'bad \u0000 byte' } : { doubled: (job.payload as number) * 2 },
    );
    await waitFor(async () => (await stateCounts(db, 'poison')).completed === 50, 20_000, 'all 50 jobs completed');

    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toMatchObject({ size: 50, mode: 'rows' });
    for (const [i, id] of ids.entries()) {
      const job = await client.getJob(id);
      if (i === poisoned) {
        expect(job).toMatchObject({ state: 'completed', result: null, attempt: 1 });
        expect(job?.errors).toHaveLength(1);
        expect(job?.errors[0]).toMatchObject({ attempt: 1, name: 'UnstorableValue' });
        expect(job?.errors[0]?.message).toMatch(/could not store this job's result/);
      } else {
        expect(job).toMatchObject({ state: 'completed', result: { doubled: i * 2 }, attempt: 1, errors: [] });
      }
    }
    expect(log.lines.some((l) => l.level === 'warn' && /one by one/.test(l.msg))).toBe(true);
    await rota.close();
  });

  it('an error message jsonb cannot hold still ends the job, with a note instead', async () => {
    const rota = makeRota(db.url);
    rota.work('poison-error', {}, () => {
      throw new Error('bad \u0000 message');
    });
    const { id } = await client.enqueue('poison-error', 1, { maxAttempts: 1 });
    const dead = await waitForState(client, id, 'dead');
    expect(dead.errors).toHaveLength(1);
    expect(dead.errors[0]).toMatchObject({ attempt: 1, name: 'UnstorableValue' });
    expect(dead.errors[0]?.message).toMatch(/could not store this job's error/);
    await rota.close();
  });

  it('results and errors reach the database exactly, whatever characters they hold', async () => {
    // finishParams writes them into PostgreSQL array literals: quotes, backslashes,
    // commas, braces and the word NULL must all survive, as must plain values.
    const results: unknown[] = [
      { s: 'a "quoted" word, a \\ backslash, {braces} and NULL' },
      'NULL',
      '"',
      '\\',
      'é ✓ 😀',
      [1, [2, '{3}'], { k: 'v,w' }],
      42,
      true,
      null,
      'null',
      '',
    ];
    // A batch big enough to hold every value at once: one statement.
    const rota = makeRota(db.url, { batchSize: results.length * 2, batchIntervalMs: 200 });
    rota.work('characters', { concurrency: results.length * 2 }, (job) => {
      const n = job.payload as number;
      if (n >= results.length) throw new Error(`failed "${n}" \\ {x,y} NULL`);
      return results[n];
    });
    const ids = (
      await client.enqueueMany(
        'characters',
        Array.from({ length: results.length * 2 }, (_, i) => ({ payload: i, maxAttempts: 1 })),
      )
    ).map((r) => r.id);
    for (const [i, id] of ids.entries()) {
      const job = await waitForState(client, id, ['completed', 'dead']);
      if (i < results.length) {
        expect(job.state).toBe('completed');
        expect(job.result).toEqual(results[i]);
      } else {
        expect(job.state).toBe('dead');
        expect(job.errors[0]?.message).toBe(`failed "${i}" \\ {x,y} NULL`);
      }
    }
    await rota.close();
  });

  it('under load, updates are group-committed: far fewer statements than jobs', async () => {
    const rota = makeRota(db.url);
    rota.work('grouped', { concurrency: 20 }, () => null);
    await client.enqueueMany(
      'grouped',
      Array.from({ length: 2_000 }, (_, i) => ({ payload: i })),
    );
    await waitFor(async () => (await stateCounts(db, 'grouped')).completed === 2_000, 30_000, '2,000 jobs completed');
    const { flushes, flushedRows } = rota.stats();
    expect(flushedRows).toBeGreaterThanOrEqual(2_000);
    expect(flushes).toBeLessThan(flushedRows / 2);
    await rota.close();
  });

  it('a backlog is shared by two statements at once while a connection is spare, each update written once', async () => {
    await db.sql.query('CREATE TABLE written (id bigint, pid int)');
    const log = recordingLogger();
    const inFlight = new Set<number>();
    let most = 0;
    let spare = true;
    const batcher = new StatusBatcher({
      log,
      batchSize: 10,
      intervalMs: 5_000,
      spare: () => spare,
      // Each statement runs on its own pool connection and records which backend wrote it.
      write: async (params) => {
        const token = Math.random();
        inFlight.add(token);
        most = Math.max(most, inFlight.size);
        try {
          await db.sql.query(`INSERT INTO written SELECT i, pg_backend_pid() FROM unnest($1::bigint[]) i, pg_sleep(0.05)`, [params[0]]);
        } finally {
          inFlight.delete(token);
        }
      },
    });
    const update = (i: number): FinishUpdate => ({ id: String(i), attempt: 1, kind: 'complete', result: null, error: null, delayMs: null });
    // 10 go out at once (batchSize); 290 more queue behind that statement: a backlog
    // (ten batches or more) goes out as a second statement beside it.
    for (let i = 1; i <= 300; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(2);
    const rows = await db.sql.query<{ n: string; ids: string; pids: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT pid) AS pids FROM written',
    );
    expect(rows.rows[0]).toEqual({ n: '300', ids: '300', pids: '2' });

    // No spare connection: one statement at a time.
    spare = false;
    most = 0;
    for (let i = 301; i <= 600; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
    // A steady flow (less than ten batches queued) never takes the second connection.
    spare = true;
    most = 0;
    for (let i = 601; i <= 690; i++) batcher.push(update(i));
    expect(await batcher.flush()).toBe(0);
    expect(most).toBe(1);
    expect((await db.sql.query('SELECT count(DISTINCT id)::int AS n FROM written')).rows[0]).toEqual({ n: 690 });
  });
});

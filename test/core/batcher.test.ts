import { describe, expect, it } from 'vitest';
import type { FlushStats } from '../../src/index.js';
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
});

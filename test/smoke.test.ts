import { afterAll, describe, expect, it } from 'vitest';
import { Rota } from '../src/index.js';
import { freshDatabase, waitFor } from './support/db.js';

const db = await freshDatabase();
const rota = new Rota({ connectionString: db.url });
afterAll(() => rota.close());

describe('smoke', () => {
  it('enqueues and processes a job', async () => {
    await rota.migrate();
    const { id } = await rota.enqueue('smoke', { hello: 'world' });
    const seen: unknown[] = [];
    rota.work('smoke', { concurrency: 2 }, async (job) => {
      seen.push(job.payload);
      return { ok: true };
    });
    const job = await waitFor(async () => {
      const j = await rota.getJob(id);
      return j?.state === 'completed' ? j : null;
    });
    expect(job.result).toEqual({ ok: true });
    expect(seen).toEqual([{ hello: 'world' }]);
  });
});

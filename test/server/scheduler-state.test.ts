import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeRota, makeRota, migratedDatabase } from '../support/rota.js';
import { startServer, type TestServer, token } from './helpers.js';

let dbUrl: string;
let rota: Rota;
let server: TestServer;
let viewer: string;

beforeAll(async () => {
  const db = await migratedDatabase();
  dbUrl = db.url;
  rota = makeRota(db.url);
  server = await startServer(rota);
  viewer = await token(rota, 'eyes', 'viewer');
});

type State = { evaluators: Array<{ workerId: string; lastClaimAt: string; claimed: number }>; lastEvaluationAt: string | null };

describe('GET /api/scheduler names the evaluating processes', () => {
  it('no evaluator before any scheduler ran', async () => {
    const r = await server.call<State>('GET', '/api/scheduler', { token: viewer });
    expect(r.body.evaluators).toEqual([]);
  });

  it('two scheduler processes splitting the due schedules both appear, by their worker id', async () => {
    const a = makeRota(dbUrl, { workerId: 'sched-a' });
    const b = makeRota(dbUrl, { workerId: 'sched-b' });
    // Every second, 20 schedules fall due; one per claim, so both loops take some.
    for (let i = 0; i < 20; i++) await rota.schedule(`every-${i}`, '* * * * * *', 'ticks', { i });
    const ha = a.startScheduler({ pollMs: 20, batchSize: 1 });
    const hb = b.startScheduler({ pollMs: 20, batchSize: 1 });
    let state: State | undefined;
    await waitFor(async () => {
      state = (await server.call<State>('GET', '/api/scheduler', { token: viewer })).body;
      return ['sched-a', 'sched-b'].every((id) => state?.evaluators.some((e) => e.workerId === id));
    });
    await Promise.all([ha.stop(), hb.stop()]);
    const s = state as State;
    for (const e of s.evaluators) {
      expect(e.claimed).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(e.lastClaimAt))).toBe(false);
    }
    const times = s.evaluators.map((e) => Date.parse(e.lastClaimAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    // A process that only reads (no scheduler) is not listed.
    expect(s.evaluators.map((e) => e.workerId)).not.toContain(rota.workerId);
    await closeRota(a);
    await closeRota(b);
  });
});

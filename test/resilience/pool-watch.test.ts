import { describe, expect, it } from 'vitest';
import { type PoolExhaustion, ValidationError } from '../../src/index.js';
import { PoolWatch } from '../../src/resilience/pool-watch.js';
import { freshDatabase, waitFor } from '../support/db.js';
import { makeRota, recordingLogger } from './helpers.js';

describe('pool exhaustion watch', () => {
  it('reports once when callers have waited past the threshold without a break, and once when the queue empties', () => {
    const pool = { totalCount: 2, idleCount: 0, waitingCount: 0 };
    const seen: string[] = [];
    const watch = new PoolWatch(pool, {
      thresholdMs: 100,
      onExhausted: (e) => seen.push(`exhausted ${e.waiting} after ${e.waitedMs}`),
      onRecovered: (e) => seen.push(`recovered after ${e.waitedMs}`),
    });
    watch.check(0);
    pool.waitingCount = 3;
    watch.check(10);
    watch.check(60);
    pool.waitingCount = 0; // a short wait that ended: nothing to report
    watch.check(70);
    pool.waitingCount = 1;
    watch.check(80);
    watch.check(150);
    watch.check(185);
    watch.check(300); // still the same episode: reported once
    pool.waitingCount = 0;
    watch.check(310);
    expect(seen).toEqual(['exhausted 1 after 105', 'recovered after 230']);
    expect(watch.stats(310)).toMatchObject({ exhausted: false, episodes: 1, longestWaitMs: 230, waitingForMs: 0 });
  });

  it('on a real pool: a connection held too long makes the next caller wait, and that is reported (event, log, stats)', async () => {
    const db = await freshDatabase();
    const log = recordingLogger();
    const rota = makeRota(db.url, { poolSize: 1, poolWaitThresholdMs: 50, logger: log });
    const events: PoolExhaustion[] = [];
    rota.on('pool:exhausted', (e) => events.push(e));
    const recovered: PoolExhaustion[] = [];
    rota.on('pool:recovered', (e) => recovered.push(e));
    const held = await rota.pool.connect();
    const waiting = rota.pool.query('SELECT 1');
    await waitFor(() => events.length > 0, 5_000, 'the exhaustion report');
    expect(events[0]).toMatchObject({ waiting: 1, total: 1 });
    expect(rota.stats().resilience.pool).toMatchObject({ exhausted: true, episodes: 1 });
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.startsWith('pool exhausted'))).toBe(true);
    held.release();
    await waiting;
    await waitFor(() => recovered.length > 0, 5_000, 'the recovery report');
    expect(rota.stats().resilience.pool.exhausted).toBe(false);
  });

  it('rejects a bad threshold', () => {
    expect(() => makeRota('postgres://x/y', { poolWaitThresholdMs: 0 })).toThrow(ValidationError);
    expect(() => makeRota('postgres://x/y', { enqueueTimeoutMs: -1 })).toThrowError(/enqueueTimeoutMs/);
    expect(() => makeRota('postgres://x/y', { breakerSyncMs: 1.5 })).toThrowError(/breakerSyncMs/);
  });
});

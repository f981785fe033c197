/**
 * Circuit breakers whose state lives in PostgreSQL: two Rota instances (separate pools,
 * runtimes and breaker syncs, as two processes would have) share one breaker.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BreakerEvent, BreakerOpenError, type Rota, ValidationError } from '../../src/index.js';
import { BreakerStore } from '../../src/resilience/breaker-store.js';
import { freshDatabase, waitFor } from '../support/db.js';
import { closeRota, makeRota, sleep } from './helpers.js';

const db = await freshDatabase();
const admin = makeRota(db.url);
beforeAll(async () => {
  await admin.migrate();
});

const FAST_RETRY = { baseMs: 5, maxMs: 20, jitter: 0 };

async function history(kind: string, name: string) {
  const res = await db.sql.query<{ from_state: string; to_state: string; reason: string; cooldown_ms: number | null; actor: string }>(
    'SELECT from_state, to_state, reason, cooldown_ms, actor FROM rota.breaker_history WHERE kind = $1 AND name = $2 ORDER BY id',
    [kind, name],
  );
  return res.rows;
}

/** Per job: attempts charged (as stored) for every finished job of a queue. */
async function attempts(queue: string): Promise<Map<string, number>> {
  const res = await db.sql.query<{ id: string; attempt: number }>(
    `SELECT id, attempt FROM rota.jobs WHERE queue = $1 UNION ALL SELECT id, attempt FROM rota.jobs_done WHERE queue = $1`,
    [queue],
  );
  return new Map(res.rows.map((r) => [r.id, r.attempt]));
}

describe('breaker settings and operator control', () => {
  it('rejects bad targets and settings with a ValidationError naming the field, writing nothing', async () => {
    const bad: Array<[unknown, unknown, string]> = [
      [{ queue: 'q' }, { failureRatio: 0 }, 'settings.failureRatio'],
      [{ queue: 'q' }, { failureRatio: 1.5 }, 'settings.failureRatio'],
      [{ queue: 'q' }, { failureRatio: Number.NaN }, 'settings.failureRatio'],
      [{ queue: 'q' }, { minCalls: 0 }, 'settings.minCalls'],
      [{ queue: 'q' }, { windowMs: 10 }, 'settings.windowMs'],
      [{ queue: 'q' }, { cooldownMs: -5 }, 'settings.cooldownMs'],
      [{ queue: 'q' }, { cooldownMs: 1.5e3 + 0.5 }, 'settings.cooldownMs'],
      [{ queue: 'q' }, { probes: 0 }, 'settings.probes'],
      [{ queue: 'q' }, { probes: 5000 }, 'settings.probes'],
      [{ queue: 'q' }, { cooldownMs: 5000, maxCooldownMs: 1000 }, 'settings.maxCooldownMs'],
      [{ queue: 'q' }, { probeTimeoutMs: '60s' }, 'settings.probeTimeoutMs'],
      [{ queue: 'q' }, { bogus: 1 }, 'settings.bogus'],
      [{ queue: 'q' }, null, 'settings'],
      [{}, {}, 'target'],
      [null, {}, 'target'],
      [{ queue: 'a', dependency: 'b' }, {}, 'target'],
      [{ queue: '' }, {}, 'target.queue'],
      [{ dependency: 'x'.repeat(200) }, {}, 'target.dependency'],
      [{ dependency: 'a\nb' }, {}, 'target.dependency'],
    ];
    for (const [target, settings, field] of bad) {
      const err = await admin.breakers.configure(target as never, settings as never).catch((e: unknown) => e);
      expect(err, JSON.stringify({ target, settings })).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
    // A cap below a stored first cooldown is caught by the database's check, mapped to the field.
    await admin.breakers.configure({ queue: 'stored' }, { cooldownMs: 5_000 });
    const err = await admin.breakers.configure({ queue: 'stored' }, { maxCooldownMs: 1_000 }).catch((e: unknown) => e);
    expect((err as ValidationError).field).toBe('settings.maxCooldownMs');
    await expect(admin.breakers.open({ queue: 'x' }, { reason: 5 as never })).rejects.toMatchObject({ field: 'reason' });
    await expect(admin.breakers.history({ queue: 'x' }, { limit: -1 })).rejects.toMatchObject({ field: 'limit' });
    for (const breaker of [5, { countsAsFailure: 'yes' }]) {
      expect(() => makeRota(db.url).work('v', { breaker: breaker as never }, async () => {})).toThrowError(ValidationError);
    }
    expect((await admin.breakers.list()).map((b) => b.name)).toEqual(['stored']);
    expect(await admin.breakers.remove({ queue: 'stored' })).toBe(true);
  });

  it('configure creates a breaker with defaults and later changes only the settings given', async () => {
    const created = await admin.breakers.configure({ dependency: 'geo' }, { minCalls: 7 });
    expect(created).toMatchObject({ kind: 'dependency', name: 'geo', state: 'closed', minCalls: 7, failureRatio: 0.5, probes: 1 });
    const changed = await admin.breakers.configure({ dependency: 'geo' }, { failureRatio: 0.25, cooldownMs: 2_000 });
    expect(changed).toMatchObject({ minCalls: 7, failureRatio: 0.25, cooldownMs: 2_000 });
    expect(await admin.breakers.get({ queue: 'geo' })).toBeNull();
  });

  it('operators force open, force closed and reset; each action is in the history with its actor', async () => {
    const t = { queue: 'ops' };
    expect(await admin.breakers.open(t, { reason: 'maintenance' })).toMatchObject({ state: 'open', forced: 'open', openUntil: null });
    expect(await admin.breakers.close(t)).toMatchObject({ state: 'closed', forced: 'closed' });
    expect(await admin.breakers.reset(t)).toMatchObject({ state: 'closed', forced: null });
    const h = await admin.breakers.history(t);
    expect(h.map((e) => [e.from, e.to, e.reason])).toEqual([
      ['closed', 'closed', 'reset by operator'],
      ['open', 'closed', 'close by operator'],
      ['closed', 'open', 'maintenance'],
    ]);
    expect(h.every((e) => e.actor === admin.workerId)).toBe(true);
  });

  it('hands out at most `probes` probe tokens per half-open round, however many processes ask at once', async () => {
    const store = new BreakerStore(db.sql, 'rota');
    await admin.breakers.configure({ dependency: 'probe-race' }, { cooldownMs: 100, minCalls: 1, probes: 3 });
    await store.sync([{ kind: 'dependency', name: 'probe-race', fail: 1 }], 'test');
    expect((await admin.breakers.get({ dependency: 'probe-race' }))?.state).toBe('open');
    await sleep(150);
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: db.url, max: 5 }));
    try {
      const asks = pools.flatMap((p) =>
        Array.from({ length: 5 }, () => new BreakerStore(p, 'rota').takeProbes('dependency', 'probe-race', 1, 'w')),
      );
      const granted = (await Promise.all(asks)).reduce((n, r) => n + r.granted, 0);
      expect(granted).toBe(3);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect((await admin.breakers.get({ dependency: 'probe-race' }))?.state).toBe('half_open');
  });
});

describe('queue breaker across processes', () => {
  it('opens on the failure ratio, stops claims in every process, lets only probes through, closes when they succeed', async () => {
    const queue = 'flaky';
    await admin.breakers.configure({ queue }, { failureRatio: 0.5, minCalls: 6, windowMs: 10_000, cooldownMs: 200, probes: 1 });
    let failing = true;
    const runs = new Map<string, number>();
    // Calls after every process learned it is open, until the first one learns it closed.
    let guarded = false;
    let callsWhileNotClosed = 0;
    const handler = async (job: { id: string }) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      if (guarded) callsWhileNotClosed++;
      if (failing) throw new Error('downstream 503');
      return null;
    };
    const events: Array<[string, BreakerEvent]> = [];
    const learnedOpen = new Set<string>();
    const procs: Rota[] = ['a', 'b'].map((p) => {
      const r = makeRota(db.url);
      r.on('breaker:state', (e) => {
        if (e.kind !== 'queue' || e.name !== queue) return;
        events.push([p, e]);
        if (e.to === 'open') {
          learnedOpen.add(p);
          if (learnedOpen.size === 2 && !closedSeen) guarded = true;
        }
        if (e.to === 'closed') {
          closedSeen = true;
          guarded = false;
        }
      });
      r.work(queue, { concurrency: 2, retry: FAST_RETRY }, handler);
      return r;
    });
    let closedSeen = false;
    await admin.enqueueMany(
      queue,
      Array.from({ length: 60 }, (_, i) => ({ payload: i, maxAttempts: 1000 })),
    );

    await waitFor(() => learnedOpen.size === 2, 20_000, 'both processes to learn the breaker opened');
    // Two probe rounds fail (the cooldown doubles), then the downstream recovers.
    await waitFor(
      async () => (await history('queue', queue)).filter((h) => h.reason === 'probe failed').length >= 2,
      20_000,
      'two failed probes',
    );
    failing = false;
    await waitFor(async () => (await admin.breakers.get({ queue }))?.state === 'closed', 20_000, 'the breaker to close');
    await waitFor(
      async () => (await admin.counts()).some((c) => c.queue === queue && c.state === 'completed' && c.count === 60),
      30_000,
      'all jobs done',
    );

    const h = await history('queue', queue);
    const transitions = h.map((e) => `${e.from_state}>${e.to_state}`);
    expect(transitions[0]).toBe('closed>open');
    expect(transitions.at(-1)).toBe('half_open>closed');
    const cooldowns = h.filter((e) => e.to_state === 'open').map((e) => e.cooldown_ms);
    expect(cooldowns.slice(0, 3)).toEqual([200, 400, 800]);
    // Only probes ran while it was not closed: at most one per half-open round.
    const rounds = h.filter((e) => e.to_state === 'half_open').length;
    expect(callsWhileNotClosed).toBeLessThanOrEqual(rounds);
    expect(callsWhileNotClosed).toBeGreaterThanOrEqual(1);
    // Every process learns of the transitions.
    await waitFor(() => ['a', 'b'].every((p) => events.some(([q, e]) => q === p && e.to === 'closed')), 5_000, 'both to see it closed');
    // Jobs held back (buffered when it opened, never claimed while open) were not charged:
    // every job's attempt count is exactly the number of times it ran.
    const charged = await attempts(queue);
    for (const [id, n] of charged) expect(n, `job ${id}`).toBe(runs.get(id) ?? 0);
    for (const r of procs) await closeRota(r);
  });

  it('a process that starts while its queue breaker is open claims nothing until it is reset', async () => {
    const queue = 'held';
    await admin.breakers.open({ queue });
    await admin.enqueueMany(
      queue,
      Array.from({ length: 5 }, (_, i) => ({ payload: i })),
    );
    let calls = 0;
    const w = makeRota(db.url);
    w.work(queue, { concurrency: 5 }, async () => {
      calls++;
    });
    await waitFor(() => (w.stats().resilience.counters?.breakerSyncs ?? 0) >= 5, 10_000, 'several breaker syncs');
    expect(calls).toBe(0);
    expect([...(await attempts(queue)).values()]).toEqual([0, 0, 0, 0, 0]);
    expect(w.stats().resilience.breakers).toContainEqual(
      expect.objectContaining({ kind: 'queue', name: queue, state: 'open', forced: 'open' }),
    );
    await admin.breakers.reset({ queue });
    await waitFor(() => calls === 5, 10_000, 'the jobs to run after the reset');
    await closeRota(w);
  });

  it("counts a probe's claim in the worker's claim counters", async () => {
    // While the breaker is not closed only probes claim, so the one job here is a
    // probe's; the counters (reported with the heartbeat) must show it was claimed.
    const queue = 'probe-counted';
    await admin.breakers.configure({ queue }, { minCalls: 1, cooldownMs: 100, probes: 1 });
    await new BreakerStore(db.sql, 'rota').sync([{ kind: 'queue', name: queue, fail: 1 }], 'test');
    expect((await admin.breakers.get({ queue }))?.state).toBe('open');
    await admin.enqueue(queue, { only: true });
    let calls = 0;
    const w = makeRota(db.url, { leaseMs: 1_500 });
    w.work(queue, { concurrency: 2 }, async () => {
      calls++;
    });
    await waitFor(() => calls === 1, 10_000, 'the probe to run the job');
    const claimed = async () => {
      const { rows } = await db.sql.query(`SELECT (stats -> 'claims' ->> 'claimed')::int AS n FROM rota.workers WHERE id = $1`, [
        w.workerId,
      ]);
      return rows[0]?.n ?? 0;
    };
    await waitFor(async () => (await claimed()) >= 1, 10_000, 'the heartbeat to report the claimed job');
    await closeRota(w);
  });
});

describe('dependency breaker (ctx.breaker)', () => {
  it('counts only the errors the predicate picks, holds jobs back uncharged while open, and probes its way back', async () => {
    const queue = 'calls-api';
    await admin.breakers.configure({ dependency: 'api' }, { failureRatio: 0.5, minCalls: 4, cooldownMs: 300, probes: 1 });
    let mode: 'bad-input' | 'down' | 'up' = 'bad-input';
    let downstreamCalls = 0;
    let heldBack = 0;
    const runs = new Map<string, number>();
    const w = makeRota(db.url);
    w.work(
      queue,
      {
        concurrency: 3,
        retry: FAST_RETRY,
        breaker: { countsAsFailure: (err) => !(err instanceof Error && err.message.startsWith('400')) },
      },
      async (job, ctx) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        try {
          await ctx.breaker('api');
        } catch (err) {
          if (err instanceof BreakerOpenError) heldBack++;
          throw err;
        }
        downstreamCalls++;
        if (mode === 'bad-input') throw new Error('400 bad request');
        if (mode === 'down') throw new Error('503 unavailable');
        return 'ok';
      },
    );
    // A bad breaker name fails the job with a ValidationError (not counted for any breaker).
    const { id } = await admin.enqueue('bad-name', {}, { maxAttempts: 1 });
    w.work('bad-name', {}, async (_job, ctx) => {
      await ctx.breaker('');
    });
    await waitFor(async () => (await admin.getJob(id))?.state === 'dead', 20_000, 'the bad-name job');
    expect((await admin.getJob(id))?.errors[0]).toMatchObject({ name: 'ValidationError', message: 'breaker: must not be empty' });
    // 400s are the job's fault: the breaker stays closed however many there are.
    await admin.enqueueMany(
      queue,
      Array.from({ length: 10 }, (_, i) => ({ payload: i, maxAttempts: 1 })),
    );
    await waitFor(
      async () => (await admin.counts()).some((c) => c.queue === queue && c.state === 'dead' && c.count === 10),
      20_000,
      '400s',
    );
    await sleep(200);
    expect((await admin.breakers.get({ dependency: 'api' }))?.state).toBe('closed');

    mode = 'down';
    await admin.enqueueMany(
      queue,
      Array.from({ length: 30 }, (_, i) => ({ payload: i, maxAttempts: 1000 })),
    );
    await waitFor(() => heldBack > 5, 20_000, 'jobs to be held back by the open breaker');
    mode = 'up';
    await waitFor(
      async () => (await admin.counts()).some((c) => c.queue === queue && c.state === 'completed' && c.count === 30),
      30_000,
      'recovery',
    );
    const h = await history('dependency', 'api');
    expect(h[0]).toMatchObject({ from_state: 'closed', to_state: 'open' });
    expect(h.at(-1)).toMatchObject({ from_state: 'half_open', to_state: 'closed' });
    // A job held back by the breaker is not charged: attempts = runs minus hold-backs of that job,
    // so in total charged attempts + hold-backs = runs.
    const charged = [...(await attempts(queue)).values()].reduce((a, b) => a + b, 0);
    const ran = [...runs.values()].reduce((a, b) => a + b, 0);
    expect(charged + heldBack).toBe(ran);
    expect(downstreamCalls).toBe(ran - heldBack);
    await closeRota(w);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Rota, ValidationError } from '../../src/index.js';
import { type GuardSample, type GuardState, guardLimits, ResourceGuard } from '../../src/resilience/guard.js';
import { freshDatabase, waitFor } from '../support/db.js';
import { spawnTs } from '../support/spawn.js';
import { makeRota } from './helpers.js';

function fakeGuard(opts: Parameters<typeof guardLimits>[0]) {
  let next: GuardSample = { eventLoopLagMs: 0, rssBytes: 0, cpuPercent: 0 };
  const changes: GuardState[] = [];
  const guard = new ResourceGuard(guardLimits({ sampleIntervalMs: 60_000, ...opts }), {
    onChange: (s) => changes.push(s),
    sampler: () => ({ sample: () => next, close: () => {} }),
  });
  guard.start();
  const feed = (s: Partial<GuardSample>) => {
    next = { eventLoopLagMs: 0, rssBytes: 0, cpuPercent: 0, ...s };
    guard.tick();
    return guard.overloaded;
  };
  return { guard, changes, feed };
}

describe('resource guard', () => {
  it('trips above a limit and resumes only below limit × resumeRatio (hysteresis)', () => {
    const { guard, changes, feed } = fakeGuard({ maxEventLoopLagMs: 100, resumeRatio: 0.5 });
    expect(feed({ eventLoopLagMs: 90 })).toBe(false);
    expect(feed({ eventLoopLagMs: 150 })).toBe(true);
    expect(feed({ eventLoopLagMs: 90 })).toBe(true); // below the limit, not below 50: still paused
    expect(feed({ eventLoopLagMs: 60 })).toBe(true);
    expect(feed({ eventLoopLagMs: 40 })).toBe(false);
    expect(changes.map((c) => [c.overloaded, c.reasons])).toEqual([
      [true, ['eventLoopLag']],
      [false, ['eventLoopLag']],
    ]);
    expect(guard.stats()).toMatchObject({ enabled: true, trips: 1, overloaded: false });
    guard.stop();
  });

  it('watches RSS and CPU independently; overloaded while any measure is over', () => {
    const { guard, changes, feed } = fakeGuard({ maxRssBytes: 1_000, maxCpuPercent: 80 });
    expect(feed({ rssBytes: 2_000 })).toBe(true);
    expect(feed({ rssBytes: 2_000, cpuPercent: 95 })).toBe(true);
    expect(guard.stats().reasons.sort()).toEqual(['cpu', 'rss']);
    expect(feed({ rssBytes: 100, cpuPercent: 95 })).toBe(true);
    expect(feed({ rssBytes: 100, cpuPercent: 10 })).toBe(false);
    expect(changes).toHaveLength(2);
    guard.stop();
  });

  it('does nothing without limits', () => {
    const { guard, feed } = fakeGuard({});
    expect(guard.enabled).toBe(false);
    expect(feed({ eventLoopLagMs: 1e6 })).toBe(false);
  });

  it('rejects invalid options with a ValidationError naming the field', () => {
    const bad: Array<[object, string]> = [
      [{ maxEventLoopLagMs: -1 }, 'guard.maxEventLoopLagMs'],
      [{ maxEventLoopLagMs: 0 }, 'guard.maxEventLoopLagMs'],
      [{ maxRssBytes: Number.POSITIVE_INFINITY }, 'guard.maxRssBytes'],
      [{ maxCpuPercent: '90' }, 'guard.maxCpuPercent'],
      [{ resumeRatio: 0 }, 'guard.resumeRatio'],
      [{ resumeRatio: 1.2 }, 'guard.resumeRatio'],
      [{ sampleIntervalMs: 1 }, 'guard.sampleIntervalMs'],
    ];
    for (const [guard, field] of bad) {
      const err = (() => {
        try {
          new Rota({ connectionString: 'postgres://localhost/none', guard: guard as never });
        } catch (e) {
          return e;
        }
      })();
      expect(err, JSON.stringify(guard)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
    }
  });
});

describe('resource guard across processes', () => {
  const dbp = freshDatabase();
  beforeAll(async () => {
    await makeRota((await dbp).url).migrate();
  });

  it('a process whose handlers block its event loop stops claiming and gives its buffer back; another process runs the rest', async () => {
    const db = await dbp;
    const dir = mkdtempSync(join(tmpdir(), 'rota-guard-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const runs = join(dir, 'runs');
    const queue = 'blocking';
    await makeRota(db.url).enqueueMany(
      queue,
      Array.from({ length: 200 }, () => ({ payload: { ms: 5 } })),
    );
    // The blocking process starts first and claims a buffer; every job it runs blocks for 200 ms.
    const blocker = spawnTs('harness/worker-process.ts', {
      DATABASE_URL: db.url,
      QUEUE: queue,
      CONCURRENCY: '4',
      BLOCK_MS: '200',
      RUNS_FILE: runs,
      ROTA_OPTIONS: JSON.stringify({ guard: { maxEventLoopLagMs: 100, sampleIntervalMs: 50 }, maxPrefetch: 50, pollIntervalMs: 50 }),
    });
    await blocker.ready;
    await waitFor(() => blocker.output().includes('"overloaded":true'), 30_000, 'the blocking process to trip its guard');
    const healthy = makeRota(db.url);
    let healthyRuns = 0;
    healthy.work(queue, { concurrency: 10 }, async () => {
      healthyRuns++;
      await new Promise((r) => setTimeout(r, 5));
    });
    await waitFor(
      async () => (await healthy.counts()).some((c) => c.queue === queue && c.state === 'completed' && c.count === 200),
      60_000,
      'all jobs',
    );
    blocker.child.kill('SIGTERM');
    await blocker.exited;
    const blockerRuns = readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean).length;
    // Every job ran once, and the healthy process did the bulk of the work.
    expect(blockerRuns + healthyRuns).toBe(200);
    expect(healthyRuns).toBeGreaterThan(blockerRuns);
    const tripped = blocker
      .output()
      .split('\n')
      .filter((l) => l.includes('"event":"guard:state"'))
      .map((l) => JSON.parse(l) as { overloaded: boolean; reasons: string[] });
    expect(tripped[0]).toMatchObject({ overloaded: true, reasons: ['eventLoopLag'] });
  });
});

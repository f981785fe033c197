/**
 * Property test of the claim itself (fast-check): random mixes of tenants, priorities,
 * weights, delayed jobs, concurrency limits (queue, per-tenant default, per tenant) and
 * token buckets, some jobs already running and some just finished. After one claim:
 *   - no concurrency limit is exceeded and no tenant took more tokens than it had;
 *   - if the claim returned fewer jobs than asked, no job that is due and permitted
 *     (its tenant and queue under their limits, tokens left) is left behind: a worker
 *     with free slots is never left idle next to work it may run;
 *   - tiers are strict: nothing claimed is of a lower tier than a due, permitted job
 *     left behind; inside a lane, the oldest due jobs are the ones taken;
 *   - the stored counters match the jobs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../src/types.js';
import { claimer, complete, countsDrift, makeRota, migratedDatabase } from './helpers.js';

const db = await migratedDatabase();
const rota = makeRota(db.url);
const claim = claimer(db.url);
const preClaim = claimer(db.url, 'earlier-worker');

const tenantArb = fc.record({
  weight: fc.integer({ min: 1, max: 4 }),
  concurrency: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  /** Tokens for the whole test (a bucket that does not refill within it). */
  tokens: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  jobs: fc.array(fc.record({ priority: fc.integer({ min: 0, max: 3 }), delayed: fc.boolean() }), { maxLength: 8 }),
});

const scenarioArb = fc.record({
  tenants: fc.array(tenantArb, { minLength: 1, maxLength: 5 }),
  queueConcurrency: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  tenantConcurrency: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  /** Claimed by another worker first, and how many of those then finish. */
  preClaim: fc.integer({ min: 0, max: 6 }),
  preFinish: fc.integer({ min: 0, max: 6 }),
  n: fc.integer({ min: 1, max: 12 }),
});

let seq = 0;

interface JobRow {
  id: string;
  tenant: string;
  priority: number;
  state: string;
  due: boolean;
  run_at: Date;
}

describe('claim properties', () => {
  it('limits hold, nothing permitted is left behind, tiers are strict, counts stay exact', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const queue = `prop-${++seq}`;
        const items = s.tenants.flatMap((t, i) =>
          t.jobs.map((j) => ({
            payload: 0,
            tenant: `t${i}`,
            priority: PRIORITIES[j.priority],
            delayMs: j.delayed ? 3_600_000 : undefined,
          })),
        );
        await rota
          .queue(queue)
          .configure({ concurrency: s.queueConcurrency ?? null, tenantConcurrency: s.tenantConcurrency ?? null }, { create: true });
        for (const [i, t] of s.tenants.entries()) {
          await rota.tenant(queue, `t${i}`).configure({
            weight: t.weight,
            concurrency: t.concurrency ?? null,
            rate: t.tokens === undefined ? null : { limit: 1, periodMs: 2_000_000_000, burst: Math.max(1, t.tokens) },
          });
        }
        if (items.length > 0) await rota.enqueueMany(queue, items);
        // Buckets with 0 tokens: take the one token of burst 1 in advance.
        for (const [i, t] of s.tenants.entries()) {
          if (t.tokens === 0)
            await db.sql.query(`UPDATE rota.tenant_state SET tokens = 0, tokens_at = now() WHERE queue = $1 AND tenant = $2`, [
              queue,
              `t${i}`,
            ]);
        }
        const before = await preClaim(queue, s.preClaim);
        await complete(db, before.slice(0, s.preFinish));

        const got = await claim(queue, s.n);

        const jobs = (
          await db.sql.query<JobRow>(
            `SELECT id::text, tenant, priority, state, run_at <= now() AS due, run_at FROM rota.jobs WHERE queue = $1`,
            [queue],
          )
        ).rows;
        const running = (t: string) => jobs.filter((j) => j.state === 'running' && j.tenant === t).length;
        const queueRunning = jobs.filter((j) => j.state === 'running').length;
        const tokensTaken = (t: string) => [...before, ...got].filter((r) => r.tenant === t).length;

        // Limits.
        if (s.queueConcurrency !== undefined) expect(queueRunning).toBeLessThanOrEqual(s.queueConcurrency);
        const limitOf = (i: number) => s.tenants[i]?.concurrency ?? s.tenantConcurrency;
        s.tenants.forEach((t, i) => {
          const limit = limitOf(i);
          if (limit !== undefined) expect(running(`t${i}`)).toBeLessThanOrEqual(limit);
          if (t.tokens !== undefined) expect(tokensTaken(`t${i}`)).toBeLessThanOrEqual(t.tokens);
        });

        // What is left that could start now.
        const permitted = (t: string) => {
          const i = Number(t.slice(1));
          const limit = limitOf(i);
          const tokens = s.tenants[i]?.tokens;
          return (limit === undefined || running(t) < limit) && (tokens === undefined || tokensTaken(t) < tokens);
        };
        const queueRoom = s.queueConcurrency === undefined || queueRunning < s.queueConcurrency;
        const waiting = jobs.filter((j) => j.state === 'available' && j.due && permitted(j.tenant) && queueRoom);
        if (got.length < s.n) expect(waiting).toEqual([]);
        for (const c of got) {
          for (const w of waiting) expect(c.priority).toBeLessThanOrEqual(w.priority);
          const older = jobs.filter(
            (j) => j.state === 'available' && j.due && j.tenant === c.tenant && j.priority === c.priority && j.run_at < c.run_at,
          );
          expect(older).toEqual([]);
        }

        await claim(queue, 0); // folds the finishes in
        expect(await countsDrift(db, queue)).toEqual([]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 60) },
    );
  });
});

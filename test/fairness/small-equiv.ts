/**
 * The small claim (sql/functions/claim_small.sql) against the full claim of
 * claim_jobs(), on randomized scenarios: queues plain or with a concurrency limit,
 * weights, tenant limits, rates or aging (the last ones are the full claim's case: the
 * small claim must decline them), jobs due, delayed and retried, tenants and queues held
 * by ctx.rateLimit, finishes of every common kind. At each claim both paths run from the
 * same state, each in a transaction rolled back: their returned rows and the state they
 * leave (every lane, tenant and queue row of the queue, every job, the journal) must be
 * equal, times the claim derives from its clock (started_at, a lease, "now + 1 s")
 * compared relative to that claim's own clock. Then a third run, of either path, is
 * committed, so the scenarios go on from states both made. Not a test file:
 * test/fairness/small-claim.test.ts and bench/experiments/small-claim-equiv.ts run it.
 */
import pg from 'pg';
import { loadQuery } from '../../src/db/sql.js';
import { Rota } from '../../src/index.js';
import { PRIORITIES } from '../../src/types.js';

export interface EquivReport {
  claims: number;
  /** Claims the small path took (the rest it declined, by reason). */
  small: number;
  /** Of those, claims with something to fold (journal rows pending). */
  smallFolds: number;
  declined: Record<string, number>;
  /** Differences the full claim also showed against itself (a tie, see runEquivalence). */
  ties: number;
  mismatches: string[];
}

export interface EquivOptions {
  scenarios: number;
  steps: number;
  seed: number;
  /** Prefix of the queues' names (one queue per scenario). */
  prefix?: string;
}

/** Declines before anything is written: both runs were the full claim. */
const PRE_WRITE = new Set(['queue settings', 'not one queue', 'hold', 'fold size', 'fold lanes']);
const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const LEASE_MS = 60_000;

/** mulberry32: a small seeded generator, so a failing scenario can be run again. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

// The state a claim can write, times as epoch ms (named *_ms) so they can be compared
// relative to each claim's clock.
const DUMP = `
SELECT json_build_object(
  'queue', (SELECT json_build_object('running', q.running, 'tokens', q.tokens, 'tokens_at_ms', ${ms('q.tokens_at')},
                                     'held_until_ms', ${ms('q.held_until')}, 'vclock', q.vclock::text, 'tenant_ver', q.tenant_ver)
              FROM rota.queue_state q WHERE q.queue = $1),
  'lanes', (SELECT json_agg(json_build_object('lane', l.tenant || '/' || l.priority, 'tier', l.tier, 'ready', l.ready,
                                              'vtime', l.vtime::text, 'parked_until_ms', ${ms('l.parked_until')},
                                              'promote_at_ms', ${ms('l.promote_at')}, 'plain_ver', l.plain_ver)
                            ORDER BY l.tenant, l.priority)
              FROM rota.lane_state l WHERE l.queue = $1),
  'tenants', (SELECT json_agg(json_build_object('tenant', t.tenant, 'running', t.running, 'tokens', t.tokens,
                                                'tokens_at_ms', ${ms('t.tokens_at')}, 'held_until_ms', ${ms('t.held_until')})
                              ORDER BY t.tenant)
                FROM rota.tenant_state t WHERE t.queue = $1),
  'jobs', (SELECT json_agg(json_build_object('id', j.id, 'state', j.state, 'attempt', j.attempt, 'locked_by', j.locked_by,
                                             'started_at_ms', ${ms('j.started_at')}, 'lease_ms', ${ms('j.lease_expires_at')},
                                             'run_at_ms', ${ms('j.run_at')})
                           ORDER BY j.id)
             FROM rota.jobs j WHERE j.queue = $1),
  'journal', (SELECT count(*) FROM rota.lane_changes c WHERE c.queue = $1)) AS d`;

/** Replaces times taken from a claim's clock (in [t0, t1], + 1 s, + the lease) by names. */
function relative(value: unknown, t0: number, t1: number): unknown {
  if (Array.isArray(value)) return value.map((v) => relative(v, t0, t1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = (k.endsWith('_ms') || k === 'wake_at') && typeof v === 'number' ? when(v, t0, t1) : relative(v, t0, t1);
    }
    return out;
  }
  return value;
}

function when(v: number, t0: number, t1: number): string | number {
  for (const [off, name] of [
    [0, 'now'],
    [1000, 'now+1s'],
    [LEASE_MS, 'now+lease'],
  ] as const) {
    if (v >= t0 + off - 0.001 && v <= t1 + off + 0.001) return name;
  }
  return v;
}

interface Outcome {
  reason: string;
  rows: unknown;
  state: unknown;
}

async function claimOnce(
  c: pg.Client,
  claimSql: string,
  queue: string,
  n: number,
  path: 'auto' | 'full',
  commit: boolean,
): Promise<Outcome> {
  await c.query('BEGIN');
  try {
    await c.query(`SELECT set_config('rota.claim_path', $1, true)`, [path]);
    const t0 = Number((await c.query(`SELECT ${ms('now()')} AS t`)).rows[0].t);
    const res = await c.query(claimSql, [[queue], [n], 'w-equiv', LEASE_MS]);
    const after = await c.query(`SELECT ${ms('clock_timestamp()')} AS t, current_setting('rota.claim_small', true) AS r`);
    const t1 = Number(after.rows[0].t);
    const state = (await c.query(DUMP, [queue])).rows[0].d;
    const rows = res.rows
      .map((r) => ({
        id: r.id,
        queue: r.queue,
        tenant: r.tenant,
        priority: r.priority,
        attempt: r.attempt,
        created_at_ms: r.created_at?.getTime() ?? null,
        run_at_ms: r.run_at?.getTime() ?? null,
        more: r.more,
        limited: r.limited,
        wake_at: r.wake_at,
      }))
      .sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : Number(a.id) - Number(b.id)));
    await c.query(commit ? 'COMMIT' : 'ROLLBACK');
    // Timestamps from pg's Date have ms precision: widen the window by a millisecond.
    return {
      reason: path === 'full' ? 'full' : after.rows[0].r || 'small',
      rows: relative(rows, t0 - 1, t1 + 1),
      state: relative(state, t0 - 1, t1 + 1),
    };
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  }
}

/** Waits until no job, lane, tenant or queue time is within a few ms of now (so both paths see the same jobs due). */
async function quiet(c: pg.Client, queue: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await c.query(
      `SELECT EXISTS (
         SELECT 1 FROM (
           SELECT j.run_at AS t FROM rota.jobs j WHERE j.queue = $1 AND j.state = 'available'
           UNION ALL SELECT l.parked_until FROM rota.lane_state l WHERE l.queue = $1
           UNION ALL SELECT t.held_until FROM rota.tenant_state t WHERE t.queue = $1
           UNION ALL SELECT q.held_until FROM rota.queue_state q WHERE q.queue = $1) x
          WHERE x.t BETWEEN clock_timestamp() - interval '40 ms' AND clock_timestamp() + interval '120 ms') AS busy`,
      [queue],
    );
    if (!r.rows[0].busy) return;
    await new Promise((res) => setTimeout(res, 60));
  }
}

export async function runEquivalence(url: string, opts: EquivOptions): Promise<EquivReport> {
  const rand = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const report: EquivReport = { claims: 0, small: 0, smallFolds: 0, declined: {}, ties: 0, mismatches: [] };
  const rota = new Rota({ connectionString: url, logger: silent });
  const c = new pg.Client(url);
  await c.connect();
  const claimSql = loadQuery('claim', 'rota');
  const finishSql = `SELECT count(*) FROM rota.move_jobs($1::bigint[], $2::int[], $3::text[], NULL::jsonb[], NULL::jsonb[], $4::float8[], NULL::text[])`;
  try {
    for (let s = 0; s < opts.scenarios; s++) {
      const queue = `${opts.prefix ?? 'eq'}_${opts.seed}_${s}`;
      const tenants = Array.from({ length: int(1, 6) }, (_, i) => `t${i}`);
      const prios = rand() < 0.6 ? [PRIORITIES[2]] : [...PRIORITIES];
      // Settings: mostly the small path's case, some the full path's.
      await rota.enqueue(queue, { setup: true }, { runAt: new Date(Date.now() + 3_600_000) });
      const kind = pick([
        'plain',
        'plain',
        'plain',
        'concurrency',
        'weights',
        'tenant-limit',
        'tenant-concurrency',
        'aging',
        'rate',
        'tenant-rate',
      ]);
      if (kind === 'concurrency') await rota.queue(queue).configure({ concurrency: int(0, 6) });
      if (kind === 'weights') for (const t of tenants) if (rand() < 0.5) await rota.tenant(queue, t).configure({ weight: int(1, 4) });
      if (kind === 'tenant-limit') await rota.tenant(queue, pick(tenants)).configure({ concurrency: int(0, 3) });
      if (kind === 'tenant-concurrency') await rota.queue(queue).configure({ tenantConcurrency: int(1, 3) });
      if (kind === 'aging') await rota.queue(queue).configure({ agingMs: int(50, 400) });
      if (kind === 'rate') await rota.queue(queue).configure({ rate: { limit: int(1, 10), periodMs: 1000 } });
      if (kind === 'tenant-rate') await rota.queue(queue).configure({ tenantRate: { limit: int(1, 5), periodMs: 1000 } });
      const running: Array<{ id: string; attempt: number }> = [];
      for (let step = 0; step < opts.steps; step++) {
        const r = rand();
        if (r < 0.3) {
          // Often one lane's arrivals only (the small fold's case), sometimes several lanes'.
          const n = pick([1, 1, 1, 2, 3, 6]);
          const one = rand() < 0.6 ? { tenant: pick(tenants), priority: pick(prios) } : undefined;
          for (let i = 0; i < n; i++) {
            const delay = pick([0, 0, 0, 0, -5_000, int(200, 900)]);
            await rota.enqueue(
              queue,
              { s, step, i },
              { tenant: one?.tenant ?? pick(tenants), priority: one?.priority ?? pick(prios), runAt: new Date(Date.now() + delay) },
            );
          }
        } else if (r < 0.75) {
          await quiet(c, queue);
          const n = int(1, 12);
          const pending = (await c.query('SELECT count(*)::int AS n FROM rota.lane_changes WHERE queue = $1', [queue])).rows[0].n;
          const firstFull = rand() < 0.5;
          const a = await claimOnce(c, claimSql, queue, n, firstFull ? 'full' : 'auto', false);
          const b = await claimOnce(c, claimSql, queue, n, firstFull ? 'auto' : 'full', false);
          const [small, full] = firstFull ? [b, a] : [a, b];
          report.claims++;
          if (small.reason === 'small') {
            report.small++;
            if (pending > 0) report.smallFolds++;
          } else report.declined[small.reason] = (report.declined[small.reason] ?? 0) + 1;
          // Declined before writing anything (the queue's settings, the journal): both ran
          // the full claim, and differ only by the time between them (a rate's bucket) or
          // by where the rolled-back run left free space (below). Every other decline
          // comes after the small fold and is compared.
          const x = JSON.stringify({ rows: small.rows, state: small.state });
          const y = JSON.stringify({ rows: full.rows, state: full.state });
          if (!PRE_WRITE.has(small.reason) && x !== y) {
            // Lanes of equal (tier, vtime) are taken in lane_active_idx's order, i.e. by
            // their rows' places in the heap, and a run rolled back leaves the next run's
            // new row versions elsewhere: the full claim run again from the same state
            // can choose differently at such a tie. Counted apart when it does.
            const again = await claimOnce(c, claimSql, queue, n, 'full', false);
            if (JSON.stringify({ rows: again.rows, state: again.state }) !== y) report.ties++;
            else report.mismatches.push(`${queue} step ${step} (n ${n}, ${kind}, path ${small.reason}):\n  small ${x}\n  full  ${y}`);
          }
          const b2 = await claimOnce(c, claimSql, queue, n, rand() < 0.5 ? 'full' : 'auto', true);
          const got = b2.rows as Array<{ id: string | null; attempt: number }>;
          for (const j of got) if (j.id !== null) running.push({ id: j.id, attempt: j.attempt });
        } else if (r < 0.92) {
          const k = Math.min(running.length, int(1, 4));
          const moves = running.splice(0, k);
          if (moves.length === 0) continue;
          const kinds = moves.map(() => pick(['complete', 'complete', 'complete', 'retry', 'snooze', 'rate-limit', 'rate-limit-queue']));
          const delays = kinds.map((kd) => (kd === 'complete' ? 0 : pick([0, int(100, 700)])));
          await c.query(finishSql, [moves.map((m) => m.id), moves.map((m) => m.attempt), kinds, delays]);
        } else {
          await new Promise((res) => setTimeout(res, int(50, 400)));
        }
      }
    }
  } finally {
    await c.end();
    await rota.close();
  }
  return report;
}

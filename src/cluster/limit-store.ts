import type pg from 'pg';
import { withSchema } from '../db/sql.js';
import { inTransaction } from '../db/transaction.js';
import { ValidationError } from '../errors.js';
import { type QueueInfo, type QueueSettings, queueColumns, type RateLimit } from '../fairness/settings.js';
import type { Logger } from '../logger.js';
import type { Rota } from '../rota.js';
import { type GroupLimitState, groupRate, raisesWithinRoom, rateShares, rebalanceByDemand, splitEven } from './limits.js';
import { type ReadPart, readParts } from './reads.js';

/** A queue as the cluster sees it: the queue-wide limits and every group's part. */
export interface ClusterQueueInfo {
  queue: string;
  /** The queue-wide concurrency limit (split over groups), or null. */
  concurrency: number | null;
  /** The queue-wide rate (split over groups), or null. */
  rate: Required<RateLimit> | null;
  /** Summed over groups. */
  running: number;
  ready: number;
  /**
   * Each group's own view (its share of the limits), in group order. When some groups
   * are unreachable (PartialReadError) only the others are here: `group` says which.
   */
  groups: Array<QueueInfo & { group: number }>;
}

export interface ClusterQueueHandle {
  readonly queue: string;
  /**
   * Applies the settings to every group. `concurrency` and `rate` are queue-wide: stored
   * on the coordinator and split over the groups (evenly now, by demand at each
   * rebalance); the others are set in every group as given.
   */
  configure(settings: QueueSettings, opts?: { create?: boolean }): Promise<ClusterQueueInfo>;
  info(): Promise<ClusterQueueInfo>;
}

interface LimitRow {
  queue: string;
  concurrency: number | null;
  rate_limit: number | null;
  rate_period_ms: number | null;
  rate_burst: number | null;
}

export interface ClusterLimitsOptions {
  coordinator: pg.Pool;
  /** `<prefix>_cluster` on the coordinator (src/cluster/migrate.ts). */
  schema: string;
  groups: number;
  group: (g: number) => Rota;
  /** The server group g is placed on, and the coordinator's name (for the unreachable list of a partial read). */
  serverOf: (g: number) => string;
  coordinatorName: string;
  log: Logger;
}

/** Queue-wide limits split over groups (the rules are in src/cluster/limits.ts). */
export class ClusterLimits {
  constructor(private readonly o: ClusterLimitsOptions) {}

  private get groupList(): number[] {
    return Array.from({ length: this.o.groups }, (_, g) => g);
  }

  queue(name: string): ClusterQueueHandle {
    return {
      queue: name,
      configure: (settings, opts) => this.configure(name, settings, opts?.create ?? false),
      info: () => this.info(name),
    };
  }

  private async configure(queue: string, settings: QueueSettings, create: boolean): Promise<ClusterQueueInfo> {
    queueColumns(settings); // validates every key before anything is written
    const { concurrency, rate, ...rest } = settings;
    if (!create) {
      const known = await Promise.allSettled(this.groupList.map((g) => this.o.group(g).queue(queue).info({ tenants: 0 })));
      if (!known.some((k) => k.status === 'fulfilled'))
        throw new ValidationError('queue', `unknown queue ${JSON.stringify(queue)}: pass { create: true } to configure it ahead`);
    }
    // Every group knows the queue from now on, so the split can set its share there.
    await Promise.all(this.groupList.map((g) => this.o.group(g).queue(queue).configure(rest, { create: true })));
    if (concurrency !== undefined || rate !== undefined) {
      const r = rate === undefined ? undefined : rate === null ? null : (queueColumns({ rate }) as Record<string, number>);
      await this.o.coordinator.query(
        withSchema(
          `INSERT INTO {{schema}}.queue_limits AS l (queue, concurrency, rate_limit, rate_period_ms, rate_burst)
           VALUES ($1, $2, $4, $5, $6)
           ON CONFLICT (queue) DO UPDATE SET
             concurrency = CASE WHEN $3 THEN EXCLUDED.concurrency ELSE l.concurrency END,
             rate_limit = CASE WHEN $7 THEN EXCLUDED.rate_limit ELSE l.rate_limit END,
             rate_period_ms = CASE WHEN $7 THEN EXCLUDED.rate_period_ms ELSE l.rate_period_ms END,
             rate_burst = CASE WHEN $7 THEN EXCLUDED.rate_burst ELSE l.rate_burst END,
             updated_at = now()`,
          this.o.schema,
        ),
        [
          queue,
          concurrency ?? null,
          concurrency !== undefined,
          r?.rate_limit ?? null,
          r?.rate_period_ms ?? null,
          r?.rate_burst ?? null,
          rate !== undefined,
        ],
      );
      await this.split(queue, false);
    }
    return this.info(queue);
  }

  private async target(queue: string): Promise<LimitRow | null> {
    const res = await this.o.coordinator.query<LimitRow>(
      withSchema(
        'SELECT queue, concurrency, rate_limit, rate_period_ms, rate_burst FROM {{schema}}.queue_limits WHERE queue = $1',
        this.o.schema,
      ),
      [queue],
    );
    return res.rows[0] ?? null;
  }

  /** The queue-wide limits and every group's part; PartialReadError (src/cluster/reads.ts) when some are unreachable. */
  private info(queue: string): Promise<ClusterQueueInfo> {
    const parts: ReadPart<LimitRow | null | QueueInfo>[] = [
      { group: null, server: this.o.coordinatorName, read: () => this.target(queue) },
      ...this.groupList.map((g) => ({
        group: g,
        server: this.o.serverOf(g),
        read: () => this.o.group(g).queue(queue).info({ tenants: 0 }),
      })),
    ];
    return readParts(`queue ${JSON.stringify(queue)} info`, parts, (got) => {
      const t = (got.find((p) => p.group === null)?.value ?? null) as LimitRow | null;
      const groups = got.flatMap((p) => (p.group === null ? [] : [{ ...(p.value as QueueInfo), group: p.group }]));
      return this.merge(queue, t, groups);
    });
  }

  private merge(queue: string, t: LimitRow | null, groups: Array<QueueInfo & { group: number }>): ClusterQueueInfo {
    return {
      queue,
      concurrency: t?.concurrency ?? null,
      rate: t?.rate_limit && t.rate_period_ms ? { limit: t.rate_limit, periodMs: t.rate_period_ms, burst: t.rate_burst ?? 1 } : null,
      running: groups.reduce((a, q) => a + q.running, 0),
      ready: groups.reduce((a, q) => a + q.ready, 0),
      groups,
    };
  }

  /**
   * Re-splits every queue-wide limit by demand. One process at a time: the pass runs
   * under a transaction-scoped advisory lock on the coordinator, and a process that
   * does not get it skips the pass (another is doing it).
   */
  async rebalanceAll(): Promise<void> {
    await inTransaction(this.o.coordinator, async (c) => {
      const got = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok', [
        `rota.cluster.rebalance:${this.o.schema}`,
      ]);
      if (!got.rows[0]?.ok) return;
      const rows = await c.query<{ queue: string }>(
        withSchema(
          'SELECT queue FROM {{schema}}.queue_limits WHERE concurrency IS NOT NULL OR rate_limit IS NOT NULL ORDER BY queue',
          this.o.schema,
        ),
      );
      for (const { queue } of rows.rows) await this.split(queue, true);
    });
  }

  /** Applies the queue's target to the groups: evenly, or by demand. Decreases first (see limits.ts). */
  private async split(queue: string, byDemand: boolean): Promise<void> {
    const t = await this.target(queue);
    if (!t) return;
    const handle = (g: number) => this.o.group(g).queue(queue);
    const read = () => Promise.all(this.groupList.map((g) => handle(g).info({ tenants: 0 })));
    let infos = await read();
    const demand = infos.map((q) => q.running + q.ready);
    const n = this.o.groups;
    // Rates: each group's share, written where it changed.
    const rate = t.rate_limit && t.rate_period_ms ? { limit: t.rate_limit, periodMs: t.rate_period_ms, burst: t.rate_burst ?? 1 } : null;
    const shares = byDemand ? rateShares(demand) : Array.from({ length: n }, () => 1 / n);
    await Promise.all(
      infos.map((q, g) => {
        const want = rate ? groupRate(rate, shares[g] as number) : null;
        const have = q.rate;
        const same =
          want === null
            ? have === null
            : have !== null && have.limit === want.limit && have.periodMs === want.periodMs && have.burst === want.burst;
        return same ? null : handle(g).configure({ rate: want });
      }),
    );
    if (t.concurrency === null) {
      await Promise.all(infos.map((q, g) => (q.concurrency === null ? null : handle(g).configure({ concurrency: null }))));
      return;
    }
    const total = t.concurrency;
    const target = byDemand
      ? rebalanceByDemand(
          total,
          infos.map((q) => q.concurrency),
          demand,
        )
      : splitEven(total, n);
    const lower = infos.flatMap((q, g) => ((target[g] as number) < (q.concurrency ?? Number.POSITIVE_INFINITY) ? [g] : []));
    if (lower.length > 0) {
      await Promise.all(lower.map((g) => handle(g).configure({ concurrency: target[g] as number })));
      infos = await read();
    }
    const states: GroupLimitState[] = infos.map((q) => ({ limit: q.concurrency, running: q.running }));
    const raises = raisesWithinRoom(total, target, states);
    await Promise.all([...raises].map(([g, c]) => handle(g).configure({ concurrency: c })));
  }
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RotaStats } from '../options.js';
import type { ClusterReader } from './cluster.js';
import { BUCKET_BOUNDS_MS } from './histogram.js';
import { OTHER_TENANTS } from './rollup.js';

/** Label value for everything past the top-N tenants. */
export const OTHER_LABEL = 'other';

const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * This process's own figures that only it can see: status batcher flushes. Kept in a
 * registry that lives as long as the Monitor; observed from the runtime's flush events.
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  readonly flushRows = new Histogram({
    name: 'rota_batcher_flush_rows',
    help: 'Status updates written per batcher flush (this process)',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    labelNames: ['mode'],
    registers: [this.registry],
  });
  readonly flushSeconds = new Histogram({
    name: 'rota_batcher_flush_duration_seconds',
    help: 'Duration of a batcher flush (this process)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    labelNames: ['mode'],
    registers: [this.registry],
  });

  observeFlush(s: { size: number; durationMs: number; mode: string }): void {
    this.flushRows.observe({ mode: s.mode }, s.size);
    this.flushSeconds.observe({ mode: s.mode }, s.durationMs / 1000);
  }
}

export interface MetricsInput {
  cluster: ClusterReader;
  process: ProcessMetrics;
  stats: RotaStats;
  /** Status updates this process holds unwritten (queued or in flight). */
  unwrittenUpdates: number;
  topTenants: number;
  /** Alerts active (cluster-wide, from the database) by type and severity. */
  alerts: Array<{ type: string; severity: string; count: number }>;
}

function escapeLabel(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** A Prometheus histogram family from pre-bucketed counts (the rollups' fixed ms buckets). */
function histogramText(name: string, help: string, series: Array<{ queue: string; buckets: number[]; sumMs: number }>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const s of series) {
    const q = `queue="${escapeLabel(s.queue)}"`;
    let cum = 0;
    BUCKET_BOUNDS_MS.forEach((b, i) => {
      cum += s.buckets[i] ?? 0;
      lines.push(`${name}_bucket{${q},le="${b / 1000}"} ${cum}`);
    });
    const total = s.buckets.reduce((a, b) => a + b, 0);
    lines.push(`${name}_bucket{${q},le="+Inf"} ${total}`, `${name}_sum{${q}} ${s.sumMs / 1000}`, `${name}_count{${q}} ${total}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Renders /metrics. Cluster-wide families come from the database (rollups, the
 * claim's counters, pg_stat_activity, breakers, schedules, the workers table), so any
 * process serving /metrics reports the whole cluster; label sets are bounded: queues,
 * breakers, schedules and worker processes are operator-defined, tenants are the top N
 * per queue plus `other`, whatever the tenant count.
 */
export async function renderMetrics(m: MetricsInput): Promise<string> {
  const { cluster } = m;
  const [totals, gauges, busiest, backlog, conns, breakers, schedules, workers] = await Promise.all([
    cluster.totals(),
    cluster.queueGauges(),
    cluster.busiestTenants(5, m.topTenants),
    cluster.tenantBacklog(m.topTenants),
    cluster.connections(),
    cluster.breakers(),
    cluster.schedules(),
    cluster.workers(),
  ]);
  const r = new Registry();
  const registers = [r];
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });

  const outcomes = [
    ['enqueued', 'Jobs enqueued (counted by the enqueuing process, written with its heartbeat)'],
    ['completed', 'Jobs completed'],
    ['failed', 'Attempts that failed (retried or dead)'],
    ['retried', 'Attempts that failed and were scheduled to retry'],
    ['dead', 'Jobs that failed their last attempt'],
    ['snoozed', 'Attempts snoozed (ctx.snooze, breaker open)'],
    ['rate_limited', 'Attempts given back by ctx.rateLimit'],
  ] as const;
  for (const [key, help] of outcomes) {
    const c = counter(`rota_jobs_${key}_total`, help, ['queue']);
    for (const t of totals) {
      const v = key === 'rate_limited' ? t.rateLimited : t[key];
      c.inc({ queue: t.queue }, v);
    }
  }
  const jobs = gauge('rota_queue_jobs', 'Jobs per queue and state (from the claim counters)', ['queue', 'state']);
  const oldest = gauge('rota_queue_oldest_ready_age_seconds', 'Age of the oldest job ready to run', ['queue']);
  const paused = gauge('rota_queue_paused', '1 while the queue is paused by an operator', ['queue']);
  for (const g of gauges) {
    jobs.set({ queue: g.queue, state: 'ready' }, g.ready);
    jobs.set({ queue: g.queue, state: 'scheduled' }, g.scheduled);
    jobs.set({ queue: g.queue, state: 'running' }, g.running);
    oldest.set({ queue: g.queue }, g.oldestReadyMs / 1000);
    paused.set({ queue: g.queue }, g.paused ? 1 : 0);
  }
  const tenantLabel = (t: string) => (t === OTHER_TENANTS ? OTHER_LABEL : t);
  const tFinished = gauge(
    'rota_tenant_jobs_finished_5m',
    `Attempts finished over the last 5 minutes, top ${m.topTenants} tenants per queue and "other"`,
    ['queue', 'tenant', 'outcome'],
  );
  for (const t of busiest) {
    tFinished.inc({ queue: t.queue, tenant: tenantLabel(t.tenant), outcome: 'completed' }, t.value);
    tFinished.inc({ queue: t.queue, tenant: tenantLabel(t.tenant), outcome: 'failed' }, t.failed);
  }
  const tReady = gauge('rota_tenant_jobs_waiting', `Jobs waiting (ready or delayed), top ${m.topTenants} tenants per queue and "other"`, [
    'queue',
    'tenant',
  ]);
  for (const t of backlog) tReady.inc({ queue: t.queue, tenant: tenantLabel(t.tenant) }, t.value);

  gauge('rota_postgres_max_connections', 'PostgreSQL max_connections').set(conns.max);
  gauge('rota_postgres_reserved_connections', 'Connection slots reserved for superusers').set(conns.reserved);
  const pgConns = gauge('rota_postgres_connections', 'Client connections to PostgreSQL by application and state', ['application', 'state']);
  for (const c of conns.byApplication) pgConns.inc({ application: c.application, state: c.state }, c.count);

  const pool = gauge('rota_pool_connections', "This process's pool connections", ['state']);
  pool.set({ state: 'total' }, m.stats.pool.total);
  pool.set({ state: 'idle' }, m.stats.pool.idle);
  pool.set({ state: 'waiting' }, m.stats.pool.waiting);
  gauge('rota_pool_exhausted', "1 while this process's pool callers have waited past the threshold").set(
    m.stats.resilience.pool.exhausted ? 1 : 0,
  );
  gauge('rota_status_updates_in_memory', 'Status updates this process holds unwritten').set(m.unwrittenUpdates);
  const guard = m.stats.resilience.guard;
  gauge('rota_guard_overloaded', '1 while the resource guard has paused claiming in this process').set(guard?.overloaded ? 1 : 0);

  const wPool = gauge('rota_worker_pool_connections', 'Pool connections per worker process (last heartbeat)', ['worker', 'state']);
  const wPending = gauge('rota_worker_status_updates_pending', 'Status updates queued per worker process (last heartbeat)', ['worker']);
  const wAge = gauge('rota_worker_heartbeat_age_seconds', 'Time since each worker process last heartbeated', ['worker']);
  for (const w of workers) {
    wAge.set({ worker: w.id }, w.heartbeatAgeMs / 1000);
    const p = w.stats?.pool;
    if (p) {
      wPool.set({ worker: w.id, state: 'total' }, p.total);
      wPool.set({ worker: w.id, state: 'idle' }, p.idle);
      wPool.set({ worker: w.id, state: 'waiting' }, p.waiting);
    }
    wPending.set({ worker: w.id }, w.stats?.batcher?.pending ?? 0);
  }

  const br = gauge('rota_breaker_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['kind', 'name']);
  for (const b of breakers) br.set({ kind: b.kind, name: b.name }, STATE_VALUE[b.state] ?? 0);

  const lag = gauge('rota_scheduler_lag_seconds', 'How far past its next tick each enabled schedule is (0 when on time)', ['schedule']);
  const missed = counter('rota_schedule_missed_ticks_total', 'Ticks not enqueued in time', ['schedule']);
  for (const s of schedules) {
    lag.set({ schedule: s.name }, s.overdueMs / 1000);
    missed.inc({ schedule: s.name }, s.missedTotal);
  }
  const alerts = gauge('rota_alerts_active', 'Active alerts by type and severity', ['type', 'severity']);
  for (const a of m.alerts) alerts.set({ type: a.type, severity: a.severity }, a.count);

  const hist =
    histogramText(
      'rota_job_run_duration_seconds',
      'Handler run time per attempt',
      totals.map((t) => ({ queue: t.queue, buckets: t.runBuckets, sumMs: t.runSumMs })),
    ) +
    histogramText(
      'rota_job_queue_wait_seconds',
      'Time from run_at to start per attempt',
      totals.map((t) => ({ queue: t.queue, buckets: t.waitBuckets, sumMs: t.waitSumMs })),
    );
  return (await r.metrics()) + hist + (await m.process.registry.metrics());
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

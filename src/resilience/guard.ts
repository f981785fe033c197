import { monitorEventLoopDelay } from 'node:perf_hooks';
import { positiveInt } from '../client/validate.js';
import { ValidationError } from '../errors.js';

/** Limits beyond which a worker process stops claiming. Each is optional. */
export interface GuardOptions {
  /** Event-loop delay (p99 over the last sample interval), in ms. */
  maxEventLoopLagMs?: number;
  /** Resident set size, in bytes. */
  maxRssBytes?: number;
  /** Process CPU over the last sample interval, in percent of one core (may exceed 100 with threads). */
  maxCpuPercent?: number;
  /** Hysteresis: claiming resumes once every exceeded measure is below limit × resumeRatio. Default 0.8. */
  resumeRatio?: number;
  /** How often the measures are taken. Default 250 ms. */
  sampleIntervalMs?: number;
}

export interface GuardSample {
  eventLoopLagMs: number;
  rssBytes: number;
  cpuPercent: number;
}

export type GuardMeasure = 'eventLoopLag' | 'rss' | 'cpu';

export interface GuardState {
  overloaded: boolean;
  /** The measures over their limit (while overloaded), or the ones that were (on recovery). */
  reasons: GuardMeasure[];
  sample: GuardSample;
}

export interface GuardStats extends GuardState {
  enabled: boolean;
  limits: { maxEventLoopLagMs: number | null; maxRssBytes: number | null; maxCpuPercent: number | null; resumeRatio: number };
  /** Times the guard stopped claiming. */
  trips: number;
  /** Total time spent not claiming, ms (including the current stretch). */
  overloadedMs: number;
}

export interface Sampler {
  sample(): GuardSample;
  close(): void;
}

/** Validated guard options (null: that measure is not watched). */
export interface GuardLimits {
  maxEventLoopLagMs: number | null;
  maxRssBytes: number | null;
  maxCpuPercent: number | null;
  resumeRatio: number;
  sampleIntervalMs: number;
}

/** Validates guard options; throws a ValidationError naming the field (`guard.maxRssBytes`). */
export function guardLimits(opts: GuardOptions | undefined): GuardLimits {
  if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new ValidationError('guard', 'must be an object');
  const o = opts ?? {};
  const limit = (field: keyof GuardOptions) => {
    const v = o[field];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ValidationError(`guard.${field}`, `must be a finite number > 0 (got ${String(v)})`);
    }
    return v;
  };
  const resumeRatio = o.resumeRatio ?? 0.8;
  if (typeof resumeRatio !== 'number' || !(resumeRatio > 0 && resumeRatio <= 1)) {
    throw new ValidationError('guard.resumeRatio', `must be a number in (0, 1] (got ${String(resumeRatio)})`);
  }
  return {
    maxEventLoopLagMs: limit('maxEventLoopLagMs'),
    maxRssBytes: limit('maxRssBytes'),
    maxCpuPercent: limit('maxCpuPercent'),
    resumeRatio,
    sampleIntervalMs: positiveInt('guard.sampleIntervalMs', o.sampleIntervalMs ?? 250, { min: 10, max: 60_000 }),
  };
}

/**
 * Measures this process: event-loop delay from perf_hooks' histogram (p99 since the
 * last sample, minus the histogram's own timer resolution), RSS, and CPU time over
 * wall time since the last sample. A loop blocked for the whole interval records
 * nothing in the histogram, so the lateness of the sample itself counts too.
 */
export class ProcessSampler implements Sampler {
  private static readonly RESOLUTION_MS = 10;
  private readonly histogram = monitorEventLoopDelay({ resolution: ProcessSampler.RESOLUTION_MS });
  private lastWall = performance.now();
  private lastCpu = process.cpuUsage();

  constructor(private readonly intervalMs: number) {
    this.histogram.enable();
  }

  sample(): GuardSample {
    const now = performance.now();
    const wallMs = Math.max(1, now - this.lastWall);
    const cpu = process.cpuUsage(this.lastCpu);
    const p99 = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 - ProcessSampler.RESOLUTION_MS : 0;
    const late = wallMs - this.intervalMs;
    this.histogram.reset();
    this.lastWall = now;
    this.lastCpu = process.cpuUsage();
    return {
      eventLoopLagMs: Math.max(0, p99, late),
      rssBytes: process.memoryUsage.rss(),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    };
  }

  close(): void {
    this.histogram.disable();
  }
}

/**
 * The resource guard: while this process is overloaded (any configured measure over
 * its limit) the worker claims nothing; in-flight jobs go on. Hysteresis keeps it from
 * flapping: a measure that tripped must fall below limit × resumeRatio before claiming
 * resumes. Changes are reported through `onChange` (the runtime then gives buffered
 * jobs back so other processes run them, and emits `guard:state`).
 */
export class ResourceGuard {
  private readonly tripped = new Set<GuardMeasure>();
  private timer: NodeJS.Timeout | null = null;
  private last: GuardSample = { eventLoopLagMs: 0, rssBytes: 0, cpuPercent: 0 };
  private overloadedSince: number | null = null;
  private overloadedTotalMs = 0;
  private trips = 0;
  private sampler: Sampler | null = null;

  constructor(
    private readonly limits: GuardLimits,
    private readonly deps: { onChange: (state: GuardState) => void; sampler?: () => Sampler },
  ) {}

  /** True when at least one limit is set. */
  get enabled(): boolean {
    const l = this.limits;
    return l.maxEventLoopLagMs !== null || l.maxRssBytes !== null || l.maxCpuPercent !== null;
  }

  get overloaded(): boolean {
    return this.tripped.size > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.sampler = this.deps.sampler?.() ?? new ProcessSampler(this.limits.sampleIntervalMs);
    this.timer = setInterval(() => this.tick(), this.limits.sampleIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sampler?.close();
    this.sampler = null;
  }

  /** Takes one sample and updates the state (called by the timer). */
  tick(): void {
    if (!this.sampler) return;
    const s = this.sampler.sample();
    this.last = s;
    const before = this.tripped.size > 0;
    const previous = [...this.tripped];
    const check = (m: GuardMeasure, value: number, limit: number | null) => {
      if (limit === null) return;
      if (value > limit) this.tripped.add(m);
      else if (value <= limit * this.limits.resumeRatio) this.tripped.delete(m);
    };
    check('eventLoopLag', s.eventLoopLagMs, this.limits.maxEventLoopLagMs);
    check('rss', s.rssBytes, this.limits.maxRssBytes);
    check('cpu', s.cpuPercent, this.limits.maxCpuPercent);
    const after = this.tripped.size > 0;
    if (after === before) return;
    const now = Date.now();
    if (after) {
      this.trips++;
      this.overloadedSince = now;
    } else if (this.overloadedSince !== null) {
      this.overloadedTotalMs += now - this.overloadedSince;
      this.overloadedSince = null;
    }
    this.deps.onChange({ overloaded: after, reasons: after ? [...this.tripped] : previous, sample: s });
  }

  stats(): GuardStats {
    const { sampleIntervalMs: _, ...limits } = this.limits;
    return {
      enabled: this.enabled,
      overloaded: this.overloaded,
      reasons: [...this.tripped],
      sample: this.last,
      limits,
      trips: this.trips,
      overloadedMs: this.overloadedTotalMs + (this.overloadedSince === null ? 0 : Date.now() - this.overloadedSince),
    };
  }
}

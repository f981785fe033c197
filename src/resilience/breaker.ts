import { validateName } from '../client/validate.js';
import { BreakerOpenError, isConnectionError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobOutcome } from '../worker/executor.js';
import { type BreakerDelta, type BreakerKind, type BreakerStatus, type BreakerStore, targetKey } from './breaker-store.js';
import type { FailurePredicate } from './failure.js';

/** A handler error's verdict for a breaker: a success, a failure, or neither. */
type Verdict = 'ok' | 'fail' | 'none';

/** A breaker a running job counts against; `gen` is set when the job is one of its probes. */
interface Declared {
  kind: BreakerKind;
  name: string;
  gen: number | null;
  isFailure?: FailurePredicate;
}

export interface BreakerRegistryOptions {
  store: BreakerStore;
  /** This process's worker id, recorded in the breakers' history. */
  actor: string;
  /** How often outcomes are sent and state is read back. */
  syncMs: number;
  log: Logger;
  /** Called for every breaker whose state or round changed (`previous` undefined on the first load). */
  onChange: (status: BreakerStatus, previous: BreakerStatus | undefined) => void;
  /** The first sync answered: queues held until now may be claimed (wake the claim loop). */
  onLoaded?: () => void;
  /** Called after every successful sync (probe claims are retried there). */
  afterSync?: () => void;
  /** Job ids this process still holds (buffered or running): a probe no longer held was given back unrun. */
  heldJobs: () => ReadonlySet<string>;
  random?: () => number;
}

/** While open by force there is no cooldown to wait for: jobs of a dependency breaker come back after this. */
const FORCED_OPEN_RETRY_MS = 30_000;
/** Largest jitter added to a held-back job's delay, so held-back jobs do not return all at once. */
const MAX_JITTER_MS = 2_000;

function verdict(o: JobOutcome, isFailure: FailurePredicate): Verdict {
  if (o.kind === 'complete') return 'ok';
  if (o.kind === 'retry' || o.kind === 'dead') return isFailure(o.error) ? 'fail' : 'none';
  return 'none';
}

/**
 * One process's view of the cluster-wide circuit breakers. It never writes per job:
 * outcomes are added up in memory and sent every `syncMs` in one breaker_sync() call
 * (probe results at once), which applies them under the rows' locks, makes the
 * transitions and returns every breaker's state. That reply is how this process learns
 * what the others did, so a breaker opened anywhere stops claims everywhere within
 * about one sync interval.
 */
export class BreakerRegistry {
  private view = new Map<string, { status: BreakerStatus; at: number }>();
  private readonly counts = new Map<string, BreakerDelta>();
  private readonly probeResults = new Map<string, BreakerDelta>();
  private readonly declared = new Map<string, Declared[]>();
  private loaded = false;
  private disabled = false;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeResolve: (() => void) | null = null;
  private syncRequested = false;
  private failing = false;
  private readonly random: () => number;
  readonly counters = { syncs: 0, syncFailures: 0, heldBack: 0, probes: 0 };

  constructor(private readonly opts: BreakerRegistryOptions) {
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops syncing after sending what is left (call once no job is running any more). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    if (this.counts.size > 0 || this.probeResults.size > 0) await this.syncOnce();
  }

  /** The breakers as last read, newest state first by (kind, name). */
  all(): BreakerStatus[] {
    return [...this.view.values()].map((v) => v.status);
  }

  get(kind: BreakerKind, name: string): BreakerStatus | undefined {
    return this.view.get(targetKey(kind, name))?.status;
  }

  /**
   * True while a queue's jobs must not be claimed the ordinary way: its breaker is open
   * or half-open (probes are claimed one by one through the probe tokens). Until the
   * first sync has answered, every queue is held, so a process starting while a
   * breaker is open claims nothing of it.
   */
  holdsQueue(queue: string): boolean {
    if (!this.loaded) return !this.disabled;
    const s = this.view.get(targetKey('queue', queue))?.status;
    return s !== undefined && s.forced !== 'closed' && s.state !== 'closed';
  }

  /** A queue breaker is half-open here: ask for probe tokens. */
  halfOpenQueues(): BreakerStatus[] {
    return this.all().filter((s) => s.kind === 'queue' && s.state === 'half_open' && s.forced === null);
  }

  /**
   * `ctx.breaker(name)`: the job declares it calls dependency `name`. Resolves when it
   * may go ahead (closed, or it got a probe token of a half-open breaker); rejects with
   * BreakerOpenError (the job goes back, not charged) otherwise. The job's outcome then
   * counts for that breaker.
   */
  async enter(jobId: string, name: string, isFailure?: FailurePredicate): Promise<void> {
    validateName('breaker', name);
    const list = this.declared.get(jobId) ?? [];
    if (list.some((d) => d.kind === 'dependency' && d.name === name)) return;
    const v = this.view.get(targetKey('dependency', name));
    let gen: number | null = null;
    if (v && v.status.forced !== 'closed' && v.status.state !== 'closed') {
      const s = v.status;
      if (s.forced === 'open') this.holdBack(name, FORCED_OPEN_RETRY_MS);
      const remaining = s.state === 'open' && s.openRemainingMs !== null ? s.openRemainingMs - (Date.now() - v.at) : 0;
      if (remaining > 0) this.holdBack(name, remaining);
      // Half-open, or its cooldown ended since the last sync: only a probe may go.
      let granted = 0;
      try {
        ({ granted, generation: gen } = await this.opts.store.takeProbes('dependency', name, 1, this.opts.actor));
      } catch (err) {
        this.opts.log.warn({ err: String(err), breaker: name }, 'could not take a probe token; holding the job back');
      }
      if (granted === 0) this.holdBack(name, Math.max(500, Math.min(s.cooldownMs, 5_000)));
      this.counters.probes++;
      this.requestSync();
    }
    list.push({ kind: 'dependency', name, gen, isFailure });
    this.declared.set(jobId, list);
  }

  /** Marks claimed jobs as probes of a queue breaker's round `gen`. */
  markProbes(queue: string, jobIds: readonly string[], gen: number): void {
    for (const id of jobIds) {
      const list = this.declared.get(id) ?? [];
      list.push({ kind: 'queue', name: queue, gen });
      this.declared.set(id, list);
    }
    this.counters.probes += jobIds.length;
  }

  /** Probe tokens taken but not used (no job to run): given back with the next sync. */
  returnProbes(kind: BreakerKind, name: string, gen: number, n: number): void {
    if (n > 0) this.addProbe(kind, name, gen, 'none', n);
  }

  /** A job finished: its outcome counts for its queue's breaker and for those it declared. */
  jobFinished(o: JobOutcome, isFailure: FailurePredicate): void {
    const list = this.declared.get(o.job.id) ?? [];
    this.declared.delete(o.job.id);
    const queueKey = targetKey('queue', o.job.queue);
    if (this.view.has(queueKey) && !list.some((d) => d.kind === 'queue')) list.push({ kind: 'queue', name: o.job.queue, gen: null });
    for (const d of list) {
      const v = verdict(o, d.isFailure ?? isFailure);
      if (d.gen !== null) this.addProbe(d.kind, d.name, d.gen, v, 1);
      else if (v !== 'none' && this.view.get(targetKey(d.kind, d.name))?.status.state !== 'open') this.addCount(d.kind, d.name, v);
    }
  }

  /** Sync now instead of at the next interval (probe results, a breaker just met). */
  requestSync(): void {
    this.syncRequested = true;
    this.wake();
  }

  private holdBack(name: string, ms: number): never {
    this.counters.heldBack++;
    const jitter = this.random() * Math.min(MAX_JITTER_MS, ms * 0.2 + 100);
    throw new BreakerOpenError(name, Math.round(ms + jitter));
  }

  private addCount(kind: BreakerKind, name: string, v: 'ok' | 'fail'): void {
    const key = targetKey(kind, name);
    let d = this.counts.get(key);
    if (!d) {
      d = { kind, name, ok: 0, fail: 0 };
      this.counts.set(key, d);
      // A dependency this process has not seen yet: create its row soon, not in 500 ms.
      if (!this.view.has(key)) this.requestSync();
    }
    if (v === 'ok') d.ok = (d.ok ?? 0) + 1;
    else d.fail = (d.fail ?? 0) + 1;
  }

  private addProbe(kind: BreakerKind, name: string, gen: number, v: Verdict, n: number): void {
    const key = `${targetKey(kind, name)}#${gen}`;
    let d = this.probeResults.get(key);
    if (!d) {
      d = { kind, name, gen, pok: 0, pfail: 0, pnone: 0 };
      this.probeResults.set(key, d);
    }
    if (v === 'ok') d.pok = (d.pok ?? 0) + n;
    else if (v === 'fail') d.pfail = (d.pfail ?? 0) + n;
    else d.pnone = (d.pnone ?? 0) + n;
    this.requestSync();
  }

  /** Probes that were claimed but given back unrun (buffer released): their tokens return. */
  private collectReleasedProbes(): void {
    if (this.declared.size === 0) return;
    const held = this.opts.heldJobs();
    for (const [id, list] of this.declared) {
      if (held.has(id)) continue;
      this.declared.delete(id);
      for (const d of list) if (d.gen !== null) this.addProbe(d.kind, d.name, d.gen, 'none', 1);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.syncRequested = false;
      await this.syncOnce();
      if (!this.running) break;
      if (this.failing) await this.sleep(Math.max(this.opts.syncMs, 1_000));
      else if (!this.syncRequested) await this.sleep(this.opts.syncMs);
    }
  }

  private async syncOnce(): Promise<void> {
    this.collectReleasedProbes();
    const deltas = [...this.counts.values(), ...this.probeResults.values()];
    this.counts.clear();
    this.probeResults.clear();
    let list: BreakerStatus[];
    try {
      list = await this.opts.store.sync(deltas, this.opts.actor);
    } catch (err) {
      this.counters.syncFailures++;
      this.restore(deltas);
      if (!this.failing) {
        this.failing = true;
        this.opts.log.warn({ err: String(err) }, 'circuit breaker sync failed; keeping outcomes and retrying');
      }
      // Without the breaker tables (migration 0004 not applied) there is nothing to wait for.
      const code = (err as { code?: string }).code;
      if (!this.loaded && !isConnectionError(err) && (code === '42P01' || code === '42883')) {
        this.disabled = true;
        this.running = false;
        this.opts.log.error({ err: String(err) }, 'circuit breakers disabled: run rota.migrate()');
      }
      return;
    }
    this.counters.syncs++;
    if (this.failing) {
      this.failing = false;
      this.opts.log.warn({}, 'circuit breaker sync resumed');
    }
    this.apply(list);
    this.opts.afterSync?.();
  }

  /** Puts unsent deltas back (the sync failed); counts gathered meanwhile are added to them. */
  private restore(deltas: BreakerDelta[]): void {
    for (const d of deltas) {
      const probe = d.gen !== undefined;
      const key = probe ? `${targetKey(d.kind, d.name)}#${d.gen}` : targetKey(d.kind, d.name);
      const map = probe ? this.probeResults : this.counts;
      const cur = map.get(key);
      if (!cur) {
        map.set(key, d);
        continue;
      }
      for (const f of ['ok', 'fail', 'pok', 'pfail', 'pnone'] as const) {
        if (d[f] !== undefined) cur[f] = (cur[f] ?? 0) + (d[f] as number);
      }
    }
  }

  private apply(list: BreakerStatus[]): void {
    const now = Date.now();
    const previous = this.view;
    const initial = !this.loaded;
    this.view = new Map(list.map((s) => [targetKey(s.kind, s.name), { status: s, at: now }]));
    this.loaded = true;
    for (const [key, { status }] of this.view) {
      const prev = previous.get(key)?.status;
      if (initial || !prev || prev.generation !== status.generation || prev.forced !== status.forced) this.opts.onChange(status, prev);
    }
    for (const [key, { status: prev }] of previous) {
      if (!this.view.has(key)) this.opts.onChange({ ...prev, state: 'closed', forced: null, reason: 'breaker removed' }, prev);
    }
    if (initial) this.opts.onLoaded?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeResolve = resolve;
      this.wakeTimer = setTimeout(() => this.wake(), ms);
    });
  }

  private wake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const r = this.wakeResolve;
    this.wakeResolve = null;
    r?.();
  }
}

/**
 * A worker's heartbeat stats (the API passes them as free JSON): what the workers page
 * shows of them, read defensively (an older or newer worker may report other keys).
 */
export interface WorkerStats {
  /** Jobs running now, per queue. */
  running: Record<string, number>;
  inFlight: number;
  pool: { total: number; idle: number; waiting: number } | null;
  /** Status writes waiting for the next batch. */
  batcherPending: number | null;
  /** The resource guard's state, when it reports one. */
  guard: string | null;
  /** Per worked queue, the backoff its failed attempts get now (the stored retry policy over the code's). */
  retry: Record<string, { baseMs: number; maxMs: number; jitter: number }>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function readStats(stats: unknown): WorkerStats {
  const s = isObj(stats) ? stats : {};
  const running: Record<string, number> = {};
  if (isObj(s.running)) for (const [q, n] of Object.entries(s.running)) running[q] = num(n) ?? 0;
  const p = isObj(s.pool) ? s.pool : null;
  const pool = p && num(p.total) !== null ? { total: num(p.total) ?? 0, idle: num(p.idle) ?? 0, waiting: num(p.waiting) ?? 0 } : null;
  const batcher = isObj(s.batcher) ? s.batcher : null;
  const res = isObj(s.resilience) ? s.resilience : null;
  const guard = res && isObj(res.guard) ? (typeof res.guard.state === 'string' ? res.guard.state : JSON.stringify(res.guard)) : null;
  const retry: WorkerStats['retry'] = {};
  if (res && isObj(res.retry)) {
    for (const [q, p] of Object.entries(res.retry)) {
      if (!isObj(p)) continue;
      const [baseMs, maxMs, jitter] = [num(p.baseMs), num(p.maxMs), num(p.jitter)];
      if (baseMs !== null && maxMs !== null && jitter !== null) retry[q] = { baseMs, maxMs, jitter };
    }
  }
  return {
    retry,
    running,
    inFlight: Object.values(running).reduce((a, b) => a + b, 0),
    pool,
    batcherPending: batcher ? num(batcher.pending) : null,
    guard,
  };
}

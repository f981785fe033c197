/** Options of the monitor (RotaOptions.monitor). */
export interface MonitorOptions {
  /** Aggregate per-minute rollups in this process and write them with the heartbeat. Default true. */
  rollups?: boolean;
  /** Tenants kept per queue in rollups and metrics (the rest are "other"). Default 10. */
  topTenants?: number;
  /** Per-minute rollups are kept this long (at least 2 h; their sums stay in the counters). Default 7 days. */
  rollupRetentionMs?: number;
  /** How often a started monitor evaluates alert rules. Default 5,000 ms. */
  evaluateIntervalMs?: number;
  /** The evaluator lease: another process takes over this long after the holder stops renewing. Default 3 × evaluateIntervalMs. */
  evaluatorLeaseMs?: number;
  /** Consecutive clear evaluations before an alert auto-resolves. Default 3. */
  resolveAfter?: number;
  /** Each readiness check's timeout. Default 2,000 ms. */
  healthTimeoutMs?: number;
  /** Attempts per webhook delivery. Default 8. */
  webhookAttempts?: number;
  /** Backoff between webhook attempts (rota's retry policy). Default base 1 s, max 5 min. */
  webhookRetry?: { baseMs?: number; maxMs?: number };
  webhookTimeoutMs?: number;
}

/** Public types of alerts and alert rules. */

export type AlertSeverity = 'info' | 'warning' | 'critical';
export const SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

export type AlertRuleName =
  | 'connections'
  | 'pool_waiting'
  | 'updates_in_memory'
  | 'oldest_ready'
  | 'failure_ratio'
  | 'dead_jobs'
  | 'breaker_open'
  | 'scheduler'
  | 'worker_lost';

export interface Alert {
  /** Null while the alert exists only in this process's memory (database unreachable). */
  id: string | null;
  /** The rule that raised it, or a finer kind of it (e.g. 'scheduler_missed_tick'). */
  type: string;
  severity: AlertSeverity;
  /** What it is about: a queue, a worker id, a breaker, 'postgres'. */
  subject: string;
  state: 'active' | 'resolved';
  message: string;
  details: Record<string, unknown>;
  firstSeen: Date;
  lastSeen: Date;
  /** Evaluations that found the condition. */
  count: number;
  resolvedAt: Date | null;
  /** 'auto' when the condition cleared; otherwise who resolved it. */
  resolvedBy: string | null;
}

/** `rota.on('alert', e => …)`: an alert fired (new) or resolved, in the process that saw it. */
export interface AlertEvent {
  action: 'fired' | 'resolved';
  alert: Alert;
}

export interface AlertRuleInfo {
  rule: AlertRuleName;
  description: string;
  enabled: boolean;
  /** Effective thresholds (defaults overridden by the configured ones). */
  thresholds: Record<string, number>;
  defaults: Record<string, number>;
  /** 'cluster': evaluated by the one process holding the evaluator lease; 'process': by every monitoring process for itself. */
  scope: 'cluster' | 'process';
}

export interface AlertQuery {
  state?: 'active' | 'resolved';
  type?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
  /** 1..500, default 50. */
  limit?: number;
}

export interface Webhook {
  id: string;
  url: string;
  minSeverity: AlertSeverity;
  enabled: boolean;
  createdAt: Date;
}

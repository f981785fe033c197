export { type ClusterWorkOptions, RotaCluster } from './cluster/cluster.js';
export type { ClusterOptions, ClusterRotaOptions, ClusterServer } from './cluster/config.js';
export { ClusterMigrateError, PartialEnqueueError } from './cluster/errors.js';
export type { ClusterQueueHandle, ClusterQueueInfo } from './cluster/limit-store.js';
export type { GroupMigration } from './cluster/migrate.js';
export type { MoveResult } from './cluster/move.js';
export { PartialReadError, type UnreachableGroup } from './cluster/reads.js';
export type { SharedRuntimeStats } from './cluster/shared-runtime.js';
export type { MigrateResult } from './db/migrator.js';
export {
  BreakerOpenError,
  DatabaseUnavailableError,
  JobCancelledError,
  LeaseLostError,
  PermanentError,
  RateLimitedError,
  type RateLimitScope,
  ShutdownAbortError,
  SnoozeError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export type { QueueInfo, QueueSettings, RateLimit, TenantInfo, TenantSettings } from './fairness/settings.js';
export type { QueueHandle, TenantHandle } from './fairness/settings-store.js';
export type { Logger } from './logger.js';
export type { Alerts } from './monitor/alerts/alerts.js';
export type { Alert, AlertEvent, AlertQuery, AlertRuleInfo, AlertRuleName, AlertSeverity, Webhook } from './monitor/alerts/types.js';
export { signWebhook, WEBHOOK_QUEUE, type WebhookPayload } from './monitor/alerts/webhooks.js';
export type { HealthCheck, HealthReport } from './monitor/health.js';
export type { Monitor, MonitorHandle, MonitorOptions, TimeseriesPoint } from './monitor/monitor.js';
export type { Breakers } from './resilience/breaker-admin.js';
export type {
  BreakerHistoryEntry,
  BreakerKind,
  BreakerSettings,
  BreakerState,
  BreakerStatus,
  BreakerTarget,
} from './resilience/breaker-store.js';
export type { GuardMeasure, GuardOptions, GuardSample, GuardState, GuardStats } from './resilience/guard.js';
export type { PoolExhaustion, PoolWatchStats } from './resilience/pool-watch.js';
export type { ResilienceEvents, ResilienceOptions, ResilienceStats, WorkBreakerOptions } from './resilience/resilience.js';
export type { QueueRetry, QueueRetrySettings } from './resilience/retry-settings.js';
export type { BreakerEvent, WorkerResilienceStats } from './resilience/worker-hooks.js';
export type {
  PoolStats,
  RotaEvents,
  RotaOptions,
  RotaStats,
  Worker,
  WorkerModule,
  WorkerModuleEntry,
  WorkOptions,
} from './rota.js';
export { Rota } from './rota.js';
export type { CycleQuery } from './scheduler/cycles.js';
export type { TriggerResult } from './scheduler/evaluator.js';
export type {
  CycleOutcome,
  MissedTickPolicy,
  ScheduleCycle,
  ScheduleInfo,
  ScheduleOptions,
  SchedulerHandle,
  SchedulerOptions,
  SchedulerStats,
  ScheduleStatus,
  ScheduleTickEvent,
  TickStatus,
} from './scheduler/types.js';
export type {
  AnyQueues,
  EnqueueItem,
  EnqueueOptions,
  EnqueueResult,
  Handler,
  Job,
  JobContext,
  JobError,
  JobRecord,
  JobState,
  Json,
  Priority,
  Queryable,
  QueueName,
  QueuePayloads,
} from './types.js';
export type { FlushStats } from './worker/batcher.js';
export type { RetryPolicy } from './worker/retry.js';

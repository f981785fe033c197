export { type EmbeddedServer, startEmbeddedPostgres } from './db/embedded.js';
export type { MigrateResult } from './db/migrator.js';
export {
  DatabaseUnavailableError,
  PermanentError,
  RateLimitedError,
  SnoozeError,
  ValidationError,
} from './errors.js';
export type { Logger } from './logger.js';
export type { PoolStats, RotaEvents, RotaOptions, RotaStats, Worker, WorkOptions } from './rota.js';
export { Rota } from './rota.js';
export type {
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
} from './types.js';
export type { FlushStats } from './worker/batcher.js';
export type { RetryPolicy } from './worker/retry.js';

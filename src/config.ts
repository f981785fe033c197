import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { nonNegativeNumber, positiveInt } from './client/validate.js';
import { validateSchema } from './db/sql.js';
import { ValidationError } from './errors.js';
import type { RotaOptions } from './options.js';

export const DAY_MS = 86_400_000;

/** A Rota's engine settings with their defaults applied, each checked (the error names the option). */
export interface EngineSettings {
  poolSize: number;
  maxPayloadBytes: number;
  defaultMaxAttempts: number;
  leaseMs: number;
  rescueIntervalMs: number;
  pollIntervalMs: number;
  batchSize: number;
  batchIntervalMs: number;
  maxPrefetch: number;
  retentionMs: number;
  shutdownTimeoutMs: number;
}

export interface ResolvedOptions {
  schema: string;
  workerId: string;
  settings: EngineSettings;
}

/** RotaOptions checked and completed with the defaults the README documents; nothing is connected yet. */
export function resolveOptions(options: RotaOptions): ResolvedOptions {
  if (!options || (!options.connectionString && !options.pool)) {
    throw new ValidationError('connectionString', 'either connectionString or pool is required');
  }
  const schema = validateSchema(options.schema ?? 'rota');
  const o: EngineSettings = {
    poolSize: options.poolSize ?? 2,
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    defaultMaxAttempts: options.defaultMaxAttempts ?? 5,
    leaseMs: options.leaseMs ?? 30_000,
    rescueIntervalMs: options.rescueIntervalMs ?? 5_000,
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    batchSize: options.batchSize ?? 100,
    batchIntervalMs: options.batchIntervalMs ?? 5,
    maxPrefetch: options.maxPrefetch ?? 4_000,
    retentionMs: options.retentionMs ?? 7 * DAY_MS,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
  };
  positiveInt('poolSize', o.poolSize, { max: 1000 });
  positiveInt('maxPayloadBytes', o.maxPayloadBytes, { max: 256 * 1024 * 1024 });
  positiveInt('defaultMaxAttempts', o.defaultMaxAttempts, { max: 1000 });
  positiveInt('leaseMs', o.leaseMs, { min: 100 });
  positiveInt('rescueIntervalMs', o.rescueIntervalMs, { min: 10 });
  positiveInt('pollIntervalMs', o.pollIntervalMs, { min: 10 });
  positiveInt('batchSize', o.batchSize, { max: 100_000 });
  nonNegativeNumber('batchIntervalMs', o.batchIntervalMs);
  nonNegativeNumber('maxPrefetch', o.maxPrefetch);
  positiveInt('retentionMs', o.retentionMs, { min: 60_000, max: Number.MAX_SAFE_INTEGER });
  nonNegativeNumber('shutdownTimeoutMs', o.shutdownTimeoutMs);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  return { schema, workerId, settings: o };
}

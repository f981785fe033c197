/**
 * Type tests for the public API (checked by tsc through vitest's typecheck mode; never run).
 * They pin the names and shapes that docs, examples and benchmarks rely on.
 */
import type pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import {
  DatabaseUnavailableError,
  type EnqueueItem,
  type EnqueueOptions,
  type EnqueueResult,
  type Handler,
  type Job,
  type JobContext,
  type JobError,
  type JobRecord,
  type JobState,
  type Json,
  type Logger,
  type MigrateResult,
  PermanentError,
  type Priority,
  type Queryable,
  type QueueRetry,
  type QueueRetrySettings,
  type QueueSettings,
  RateLimitedError,
  type RetryPolicy,
  Rota,
  type RotaOptions,
  SnoozeError,
  ValidationError,
  type Worker,
  type WorkOptions,
} from '../../src/index.js';

declare const rota: Rota;
declare const client: pg.PoolClient;

describe('new Rota', () => {
  it('takes a connection string or an application pool', () => {
    expectTypeOf(Rota).constructorParameters.toEqualTypeOf<[RotaOptions]>();
    expectTypeOf<RotaOptions['connectionString']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RotaOptions['pool']>().toEqualTypeOf<pg.Pool | undefined>();
    expectTypeOf<RotaOptions['schema']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RotaOptions['maxPayloadBytes']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RotaOptions['logger']>().toEqualTypeOf<Logger | undefined>();
    expectTypeOf(rota.pool).toEqualTypeOf<pg.Pool>();
    new Rota({ connectionString: 'postgres://localhost/db' });
    // @ts-expect-error a connection string is a string
    new Rota({ connectionString: 5432 });
    // @ts-expect-error unknown options are rejected
    new Rota({ connectionString: 'postgres://x', poolSiz: 2 });
  });

  it('lifecycle methods', () => {
    expectTypeOf(rota.migrate).returns.resolves.toEqualTypeOf<MigrateResult>();
    expectTypeOf<MigrateResult>().toEqualTypeOf<{ applied: number[]; version: number }>();
    expectTypeOf(rota.migrateDown).parameters.toEqualTypeOf<[number]>();
    expectTypeOf(rota.migrateDown).returns.resolves.toEqualTypeOf<number[]>();
    expectTypeOf(rota.close).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(rota.getJob).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(rota.getJob).returns.resolves.toEqualTypeOf<JobRecord | null>();
    expectTypeOf(rota.cancel).returns.resolves.toEqualTypeOf<boolean>();
  });
});

describe('enqueue', () => {
  it('returns the id and whether it was deduplicated', () => {
    expectTypeOf<EnqueueResult>().toEqualTypeOf<{ id: string; deduplicated: boolean }>();
    expectTypeOf(rota.enqueue('q', { itemId: 7 })).toEqualTypeOf<Promise<EnqueueResult>>();
    expectTypeOf(rota.enqueueMany('q', [{ payload: 1 }])).toEqualTypeOf<Promise<EnqueueResult[]>>();
  });

  it('options', () => {
    expectTypeOf<Priority>().toEqualTypeOf<'urgent' | 'high' | 'normal' | 'low'>();
    expectTypeOf<EnqueueOptions>().toEqualTypeOf<{
      tenant?: string;
      priority?: Priority;
      runAt?: Date;
      delayMs?: number;
      dedupKey?: string;
      maxAttempts?: number;
      timeoutMs?: number;
      client?: Queryable;
    }>();
    rota.enqueue(
      'ingest',
      { itemId: 7 },
      { tenant: 'store-42', priority: 'high', runAt: new Date(), dedupKey: 'k', maxAttempts: 3, timeoutMs: 1_000 },
    );
    rota.enqueue('ingest', 1, { delayMs: 500 });
    // @ts-expect-error unknown priority
    rota.enqueue('q', 1, { priority: 'critical' });
    // @ts-expect-error runAt is a Date
    rota.enqueue('q', 1, { runAt: '2030-01-01' });
    // @ts-expect-error delayMs is a number
    rota.enqueue('q', 1, { delayMs: '5' });
    // @ts-expect-error unknown option
    rota.enqueue('q', 1, { retries: 3 });
  });

  it("accepts the caller's transaction client", () => {
    expectTypeOf(client).toExtend<Queryable>();
    rota.enqueue('q', 1, { client });
    rota.enqueueMany('q', [{ payload: 1 }], { client });
    // @ts-expect-error enqueueMany takes options per item, only the client per call
    rota.enqueueMany('q', [{ payload: 1 }], { tenant: 't' });
  });

  it('enqueueMany items carry their own options and a required payload', () => {
    expectTypeOf<EnqueueItem<{ n: number }>['payload']>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<EnqueueItem>().toExtend<Omit<EnqueueOptions, 'client'>>();
    expectTypeOf<EnqueueItem>().not.toHaveProperty('client');
    rota.enqueueMany<{ n: number }>('q', [{ payload: { n: 1 }, tenant: 't', priority: 'low', dedupKey: 'd' }]);
    // @ts-expect-error payload is required
    rota.enqueueMany('q', [{ tenant: 't' }]);
    // @ts-expect-error the payload type is checked when given
    rota.enqueueMany<{ n: number }>('q', [{ payload: { n: 'one' } }]);
    // @ts-expect-error no client per item
    rota.enqueueMany('q', [{ payload: 1, client }]);
  });
});

describe('work', () => {
  it('types the handler with the payload and result', () => {
    const w = rota.work<{ itemId: number }, { ok: boolean }>('ingest', { concurrency: 20 }, async (job, ctx) => {
      expectTypeOf(job).toEqualTypeOf<Job<{ itemId: number }>>();
      expectTypeOf(job.payload.itemId).toBeNumber();
      expectTypeOf(ctx).toEqualTypeOf<JobContext>();
      return { ok: true };
    });
    expectTypeOf(w).toEqualTypeOf<Worker>();
    expectTypeOf(w.stop).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(w.queue).toBeString();
    // @ts-expect-error the result must match R
    rota.work<unknown, { ok: boolean }>('q', {}, () => ({ ok: 'yes' }));
    // @ts-expect-error concurrency is a number
    rota.work('q', { concurrency: '5' }, () => null);
  });

  it('infers the payload from an annotated handler; synchronous handlers are fine', () => {
    rota.work('q', {}, (job: Job<{ n: number }>) => job.payload.n * 2);
    rota.work('q', {}, () => undefined);
    expectTypeOf<Handler<string, number>>().toEqualTypeOf<(job: Job<string>, ctx: JobContext) => Promise<number> | number>();
  });

  it('work options', () => {
    expectTypeOf<WorkOptions['concurrency']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<WorkOptions['timeoutMs']>().toEqualTypeOf<number | undefined>();
    rota.work('q', { retry: { baseMs: 10 } }, () => null);
    rota.work('q', { retry: { baseMs: 10, maxMs: 50, jitter: 0.5 } }, () => null);
    // @ts-expect-error retry fields are numbers
    rota.work('q', { retry: { baseMs: 'fast' } }, () => null);
  });
});

describe('Job, JobContext, JobRecord', () => {
  it('Job', () => {
    expectTypeOf<Job<{ a: 1 }>>().toEqualTypeOf<{
      id: string;
      queue: string;
      tenant: string;
      payload: { a: 1 };
      attempt: number;
      maxAttempts: number;
      priority: Priority;
      createdAt: Date;
      runAt: Date;
      timeoutMs: number | null;
    }>();
    expectTypeOf<Job['payload']>().toBeUnknown();
  });

  it('JobContext', () => {
    expectTypeOf<JobContext['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<JobContext['log']>().toEqualTypeOf<Logger>();
    expectTypeOf<JobContext['rateLimit']>().toEqualTypeOf<(ms: number) => never>();
    expectTypeOf<JobContext['snooze']>().toEqualTypeOf<(ms: number) => never>();
  });

  it('JobRecord', () => {
    expectTypeOf<JobState>().toEqualTypeOf<'available' | 'scheduled' | 'running' | 'completed' | 'dead' | 'cancelled'>();
    expectTypeOf<JobRecord<string>>().toExtend<Job<string>>();
    expectTypeOf<JobRecord>().toExtend<{
      state: JobState;
      dedupKey: string | null;
      errors: JobError[];
      result: unknown;
      startedAt: Date | null;
      finishedAt: Date | null;
      lockedBy: string | null;
    }>();
    expectTypeOf<JobError>().toEqualTypeOf<{ attempt: number; at: string; name: string; message: string; stack?: string }>();
  });

  it('Json', () => {
    expectTypeOf<{ a: [1, 'x', null, { b: true }] }>().toExtend<Json>();
    expectTypeOf<{ a: () => void }>().not.toExtend<Json>();
    expectTypeOf<bigint>().not.toExtend<Json>();
  });
});

describe('errors', () => {
  it('typed control-flow and validation errors', () => {
    expectTypeOf<ValidationError['field']>().toBeString();
    expectTypeOf(ValidationError).constructorParameters.toEqualTypeOf<[field: string, message: string]>();
    expectTypeOf<RateLimitedError['delayMs']>().toBeNumber();
    expectTypeOf<SnoozeError['delayMs']>().toBeNumber();
    expectTypeOf<DatabaseUnavailableError['retryable']>().toEqualTypeOf<true>();
    for (const E of [ValidationError, PermanentError, RateLimitedError, SnoozeError, DatabaseUnavailableError]) {
      expectTypeOf<InstanceType<typeof E>>().toExtend<Error>();
    }
  });
});

describe('a Rota typed by its queues', () => {
  interface Queues {
    ingest: { n: number };
    report: { store: string };
  }
  const typed = new Rota<Queues>({ connectionString: 'postgres://localhost/x' });

  it('checks each payload against its queue', () => {
    void typed.enqueue('ingest', { n: 1 });
    // @ts-expect-error the ingest worker expects { n: number }
    void typed.enqueue('ingest', { wrong: true });
    // @ts-expect-error a queue the map does not name
    void typed.enqueue('nosuch', { n: 1 });
    void typed.enqueueMany('report', [{ payload: { store: 's' }, tenant: 't' }]);
    // @ts-expect-error report payloads are { store: string }
    void typed.enqueueMany('report', [{ payload: { n: 1 } }]);
    // @ts-expect-error an explicit payload type cannot bypass the map
    void typed.enqueue<{ wrong: true }>('ingest', { wrong: true });
    void typed.schedule('nightly', '0 3 * * *', 'report', { store: 'all' });
    // @ts-expect-error schedules are checked too
    void typed.schedule('nightly', '0 3 * * *', 'report', { n: 1 });
  });

  it('types the handler from the queue', () => {
    typed.work('ingest', { concurrency: 2 }, async (job) => {
      expectTypeOf(job.payload).toEqualTypeOf<{ n: number }>();
      return job.payload.n;
    });
    // @ts-expect-error a handler for a queue the map does not name
    typed.work('nosuch', {}, async () => null);
  });

  it('an untyped Rota accepts any queue and payload, typed per call when wanted', () => {
    const untyped = new Rota({ connectionString: 'postgres://localhost/x' });
    void untyped.enqueue('anything', { any: 'thing' });
    untyped.work<{ n: number }>('anything', {}, async (job) => {
      expectTypeOf(job.payload).toEqualTypeOf<{ n: number }>();
    });
  });
});

describe('counts', () => {
  it('types state as a JobState', () => {
    const rota = new Rota({ connectionString: 'postgres://localhost/x' });
    expectTypeOf(rota.counts()).resolves.toEqualTypeOf<Array<{ queue: string; state: JobState; count: number }>>();
  });
});

describe('queue settings: the stored retry policy', () => {
  it('configure takes retry parts (each nullable, or null for all); info returns them', () => {
    const rota = new Rota({ connectionString: 'postgres://localhost/x' });
    void rota.queue('q').configure({ retry: { maxAttempts: 3, baseMs: 1_000, maxMs: null } });
    void rota.queue('q').configure({ retry: null });
    // @ts-expect-error an unknown part
    void rota.queue('q').configure({ retry: { attempts: 3 } });
    expectTypeOf<QueueSettings['retry']>().toEqualTypeOf<QueueRetrySettings | null | undefined>();
    expectTypeOf(rota.queue('q').info()).resolves.toHaveProperty('retry').toEqualTypeOf<QueueRetry>();
    expectTypeOf<QueueRetry>().toEqualTypeOf<{
      maxAttempts: number | null;
      baseMs: number | null;
      maxMs: number | null;
      jitter: number | null;
    }>();
    expectTypeOf(rota.stats().retry).toEqualTypeOf<Record<string, RetryPolicy>>();
  });
});

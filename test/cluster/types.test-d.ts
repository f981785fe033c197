/** Type tests for RotaCluster (checked by tsc through vitest's typecheck mode; never run). */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClusterMigrateError,
  type ClusterOptions,
  type EnqueueResult,
  type GroupMigration,
  type PartialEnqueueError,
  RotaCluster,
  type Worker,
} from '../../src/index.js';

declare const options: ClusterOptions;

describe('RotaCluster types', () => {
  it('routes the same calls as Rota, typed by a queue map', () => {
    const typed = new RotaCluster<{ ingest: { itemId: number } }>(options);
    expectTypeOf(typed.enqueue('ingest', { itemId: 1 }, { tenant: 't' })).toEqualTypeOf<Promise<EnqueueResult>>();
    // @ts-expect-error wrong payload for the queue
    void typed.enqueue('ingest', { itemId: 'x' });
    // @ts-expect-error unknown queue on a typed cluster
    void typed.enqueue('other', {});
    expectTypeOf(typed.work('ingest', { concurrency: 2, groups: [0, 1] }, async (job) => job.payload.itemId)).toEqualTypeOf<Worker>();
    const untyped = new RotaCluster(options);
    expectTypeOf(untyped.enqueueMany('any', [{ payload: 1, tenant: 't' }])).toEqualTypeOf<Promise<EnqueueResult[]>>();
    expectTypeOf(untyped.migrate()).toEqualTypeOf<Promise<GroupMigration[]>>();
    expectTypeOf(untyped.groupOf('t')).toEqualTypeOf<number>();
    expectTypeOf(untyped.groupOfJob('1')).toEqualTypeOf<number | null>();
  });

  it('exports its errors', () => {
    expectTypeOf<PartialEnqueueError['results']>().toEqualTypeOf<Array<EnqueueResult | null>>();
    expectTypeOf<PartialEnqueueError['failedGroups']>().toEqualTypeOf<number[]>();
    expectTypeOf<ClusterMigrateError['groups']>().toEqualTypeOf<GroupMigration[]>();
  });
});

/**
 * Type tests for the worker module format of `rota worker --module` (checked by tsc
 * through vitest's typecheck mode; never run). WorkerModule is re-exported by
 * src/index.ts once the lead adds it there; until then it is imported from its home.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { WorkerModule, WorkerModuleEntry } from '../../src/index.js';
import type { Handler } from '../../src/types.js';

describe('WorkerModule', () => {
  it('maps queue names to handlers, or to handlers with work() options', () => {
    const mod = {
      emails: async (job) => job.id,
      reports: { handler: async () => null, concurrency: 2, timeoutMs: 60_000 },
      webhooks: { handler: () => 1, retry: { baseMs: 5_000 }, breaker: { countsAsFailure: () => true } },
    } satisfies WorkerModule;
    expectTypeOf(mod.reports.concurrency).toEqualTypeOf<number>();
    expectTypeOf<Handler>().toMatchTypeOf<WorkerModuleEntry>();
  });

  it('rejects what `rota worker` would refuse', () => {
    // @ts-expect-error a number is not a handler
    const notHandler: WorkerModule = { emails: 42 };
    // @ts-expect-error a misspelt option
    const misspelt: WorkerModule = { emails: { handler: async () => null, concurency: 2 } };
    // @ts-expect-error an entry without a handler
    const noHandler: WorkerModule = { emails: { concurrency: 2 } };
    void [notHandler, misspelt, noHandler];
  });
});

import { buildRows, type EnqueueConfig } from '../client/enqueue.js';
import { ValidationError } from '../errors.js';
import type { EnqueueItem, EnqueueResult } from '../types.js';
import { PartialEnqueueError } from './errors.js';
import { groupOfTenant } from './hash.js';

export interface SplitEnqueueDeps {
  groups: number;
  /** The limits every group's Rota applies to enqueued jobs (resolveOptions of `options.rota`). */
  config: EnqueueConfig;
  /** One group's enqueueMany (routed: follows a move). */
  enqueueMany: (g: number, items: EnqueueItem[]) => Promise<EnqueueResult[]>;
}

/**
 * enqueueMany over groups: every item is checked first (errors name items[i] as given,
 * so bad input writes nothing), then one enqueueMany per group, groups in parallel.
 * Atomic within each group, not across groups: when some groups fail,
 * PartialEnqueueError says which items were written; when all fail, the first error.
 */
export async function enqueueSplit(deps: SplitEnqueueDeps, queue: string, items: readonly EnqueueItem[]): Promise<EnqueueResult[]> {
  if (!Array.isArray(items)) throw new ValidationError('items', 'must be an array');
  const rows = buildRows(queue, items, deps.config, (i) => `items[${i}].`);
  const byGroup = new Map<number, number[]>();
  rows.forEach((row, i) => {
    const g = groupOfTenant(row.tenant, deps.groups);
    const list = byGroup.get(g);
    if (list) list.push(i);
    else byGroup.set(g, [i]);
  });
  const results: Array<EnqueueResult | null> = new Array(items.length).fill(null);
  const failed: number[] = [];
  const causes: unknown[] = [];
  await Promise.all(
    [...byGroup].map(async ([g, idx]) => {
      try {
        const res = await deps.enqueueMany(
          g,
          idx.map((i) => items[i] as EnqueueItem),
        );
        res.forEach((r, k) => {
          results[idx[k] as number] = r;
        });
      } catch (err) {
        failed.push(g);
        causes.push(err);
      }
    }),
  );
  if (failed.length === byGroup.size && causes.length > 0) throw causes[0];
  if (failed.length > 0)
    throw new PartialEnqueueError(
      results,
      failed.sort((a, b) => a - b),
      causes,
    );
  return results as EnqueueResult[];
}

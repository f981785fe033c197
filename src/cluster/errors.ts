import type { EnqueueResult } from '../types.js';
import type { GroupMigration } from './migrate.js';

/** enqueueMany committed the groups in `results` (null: not written) and failed for `failedGroups`. */
export class PartialEnqueueError extends Error {
  override readonly name = 'PartialEnqueueError';
  constructor(
    readonly results: Array<EnqueueResult | null>,
    readonly failedGroups: number[],
    readonly causes: unknown[],
  ) {
    super(`enqueueMany: groups ${failedGroups.join(', ')} failed (${String(causes[0])}); the other groups' jobs were written`);
  }
}

/** migrate() tried every group; these failed (run it again: each group's migration is idempotent). */
export class ClusterMigrateError extends Error {
  override readonly name = 'ClusterMigrateError';
  constructor(readonly groups: GroupMigration[]) {
    const failed = groups.filter((g) => g.error);
    super(`migration failed for ${failed.length} group(s): ${failed.map((g) => `g${g.group} on ${g.server}: ${g.error}`).join('; ')}`);
  }
}

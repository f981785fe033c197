/**
 * The many-tenant fixture the claim experiments share: a migrated rota schema with `jobs`
 * jobs in queue 'q' spread round robin over `tenants` tenants (t0, t1, ...), enqueued in
 * calls of 1,000.
 */
import { Rota } from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export async function seedTenantJobs(url: string, jobs: number, tenants: number): Promise<void> {
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  for (let i = 0; i < jobs; i += 1_000) {
    await rota.enqueueMany(
      'q',
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ payload: { k }, tenant: `t${(i + k) % tenants}` })),
    );
  }
  await rota.close();
}

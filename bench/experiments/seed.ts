/**
 * The many-tenant fixture the claim experiments share: a migrated rota schema with `jobs`
 * jobs in queue 'q' spread round robin over `tenants` tenants (t0, t1, ...), enqueued in
 * calls of 1,000. ORDER=blocked in the environment enqueues each tenant's jobs together
 * instead (a diagnostic: what the interleaved order's scattered pages cost).
 */
import { Rota } from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export async function seedTenantJobs(url: string, jobs: number, tenants: number): Promise<void> {
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  const blocked = process.env.ORDER === 'blocked';
  const tenantOf = (i: number) => (blocked ? Math.floor((i * tenants) / jobs) : i % tenants);
  for (let i = 0; i < jobs; i += 1_000) {
    await rota.enqueueMany(
      'q',
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({ payload: { k }, tenant: `t${tenantOf(i + k)}` })),
    );
  }
  await rota.close();
}

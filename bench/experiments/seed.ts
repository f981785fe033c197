/**
 * Fixtures the experiments share:
 * - migratedDatabase(): a new database on the experiment's server, migrated by this tree's
 *   rota or another checkout's (each side of an A/B then runs its own migrations and
 *   sql/functions);
 * - seedTenantJobs(): the many-tenant fixture of the claim experiments, a migrated rota
 *   schema with `jobs` jobs in queue 'q' spread round robin over `tenants` tenants (t0,
 *   t1, ...), enqueued in calls of 1,000. ORDER=blocked in the environment enqueues each
 *   tenant's jobs together instead (a diagnostic: what the interleaved order's scattered
 *   pages cost).
 */
import pg from 'pg';
import { Rota } from '../../src/index.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** A Rota class: this tree's, or another checkout's (`(await import('<checkout>/src/index.ts')).Rota`). */
export type RotaClass = new (opts: {
  connectionString: string;
  logger: typeof silent;
}) => {
  migrate(): Promise<unknown>;
  close(): Promise<void>;
};

/** Creates database `name` on `server` and migrates it with `RotaClass` (this tree's by default); returns its URL. */
export async function migratedDatabase(
  server: { url: string; urlFor(db: string): string },
  name: string,
  RotaClass: RotaClass = Rota,
): Promise<string> {
  const admin = new pg.Client(server.url);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = server.urlFor(name);
  const rota = new RotaClass({ connectionString: url, logger: silent });
  try {
    await rota.migrate();
  } finally {
    await rota.close();
  }
  return url;
}

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

/**
 * A worker process of a cluster for test/cluster/faults.test.ts: works queue `hold` in every
 * group with handlers that never finish, printing `holding <id>` for each job it starts.
 * CLUSTER_SERVERS is a JSON { name: url }, CLUSTER_PREFIX the schema prefix.
 */
import { RotaCluster } from '../../src/index.js';

const servers = JSON.parse(process.env.CLUSTER_SERVERS ?? '{}') as Record<string, string>;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const cluster = new RotaCluster({
  servers: Object.fromEntries(Object.entries(servers).map(([name, url]) => [name, { connectionString: url }])),
  groups: 8,
  schemaPrefix: process.env.CLUSTER_PREFIX ?? 'crash',
  logger: quiet,
  rota: { pollIntervalMs: 50, maxPrefetch: 0 },
});
cluster.work('hold', { concurrency: 8 }, async (job) => {
  process.stdout.write(`holding ${job.id}\n`);
  await new Promise(() => {}); // until the process is killed
});
process.stdout.write('ready\n');

// The small claim (sql/functions/claim_small.sql) must leave exactly what the full
// allocation of claim_jobs() leaves: SCENARIOS randomized scenarios of STEPS steps each
// (test/fairness/small-equiv.ts says what they do), both paths at every claim from the
// same state. Prints how many claims the small path took, why it declined the others,
// and every difference; exits 1 if there is one.
//   SCENARIOS=200 STEPS=40 SEED=1 npx tsx bench/experiments/small-claim-equiv.ts
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { Rota } from '../../src/index.js';
import { runEquivalence } from '../../test/fairness/small-equiv.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const server = await startEmbeddedPostgres({});
let failed = false;
try {
  const url = server.urlFor('postgres');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  await rota.close();
  const report = await runEquivalence(url, {
    scenarios: Number(process.env.SCENARIOS ?? 100),
    steps: Number(process.env.STEPS ?? 40),
    seed: Number(process.env.SEED ?? 1),
  });
  for (const m of report.mismatches.slice(0, 10)) console.log(m);
  console.log(
    `claims ${report.claims}: small path ${report.small} (${report.smallFolds} with something to fold), declined ${JSON.stringify(report.declined)}; full claim unequal to itself (ties) ${report.ties}; differences ${report.mismatches.length}`,
  );
  failed = report.mismatches.length > 0;
} finally {
  await server.destroy();
}
process.exit(failed ? 1 : 0);

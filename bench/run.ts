/**
 * `npm run bench [-- --only core,fairness] [--quick] [--runs N] [--no-peers]`
 *
 * Starts one embedded PostgreSQL 18 (or uses DATABASE_URL), runs the listed scenarios
 * in order on it, and prints their Markdown tables and the machine. Progress goes to
 * stderr, tables to stdout. To add a scenario: a module exporting `name` and `run`
 * (see scenario.ts), imported here and appended to SCENARIOS.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as api from './api.js';
import * as burst from './burst.js';
import { killChildren, REPO_ROOT } from './child.js';
import * as cluster from './cluster.js';
import * as core from './core.js';
import * as dashboard from './dashboard.js';
import * as fairness from './fairness.js';
import { machine, startBenchServer } from './lib.js';
import * as monitor from './monitor.js';
import * as recovery from './recovery.js';
import type { BenchOptions, Scenario } from './scenario.js';
import * as scheduler from './scheduler.js';
import * as tenants from './tenants.js';
import * as urgent from './urgent.js';

const SCENARIOS: Scenario[] = [core, fairness, scheduler, api, monitor, dashboard, burst, tenants, urgent, recovery, cluster];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'no-peers': { type: 'boolean', default: false },
  },
});

const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const opts: BenchOptions = {
  quick: values.quick,
  runs: values.runs ? Math.max(1, Number(values.runs)) : values.quick ? 1 : 3,
  peers: !values['no-peers'],
};
const selected = SCENARIOS.filter((s) => !only || only.includes(s.name));

process.on('SIGINT', () => {
  killChildren();
  process.exit(130);
});

/** The rota code measured: the commit, and whether the work tree differs from it. */
function rotaVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  return git('status', '--porcelain', '--', 'src', 'sql') ? `${commit} + uncommitted changes in src/ or sql/` : commit;
}

const server = await startBenchServer();
try {
  for (const scenario of selected) {
    console.error(`bench: ${scenario.name}…`);
    await scenario.run(server, opts);
  }
  console.log(`\nMachine: ${machine()}. rota at ${rotaVersion()}. ${opts.runs} run(s) per figure, medians shown.`);
} finally {
  killChildren();
  await server.close();
}

#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAlertCommands } from './commands/alerts.js';
import { registerBreakerCommands } from './commands/breaker.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerCoreCommands } from './commands/core.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerServeCommands } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { setEmbeddedFlag } from './context.js';
import { explain } from './errors.js';

/** package.json sits two levels up from both src/cli/main.ts and dist/cli/main.js. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The `rota` command. Each part of rota registers its own commands from
 * src/cli/commands/<part>.ts, so this file only assembles them.
 */
export function buildCli(): Command {
  const program = new Command('rota')
    .description('PostgreSQL-backed job queue and scheduler (DATABASE_URL selects the database)')
    .version(version(), '-V, --version')
    .option('--embedded', 'worker, schedule run, serve: start a throw-away embedded PostgreSQL when DATABASE_URL is unset')
    .showHelpAfterError()
    .hook('preAction', (cmd) => setEmbeddedFlag(Boolean(cmd.opts().embedded)));
  registerCoreCommands(program);
  registerQueueCommands(program);
  registerBreakerCommands(program);
  registerAlertCommands(program);
  registerScheduleCommands(program);
  registerJobCommands(program);
  registerServeCommands(program);
  registerTokenCommands(program);
  registerClusterCommands(program);
  return program;
}

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`rota: ${explain(err, process.env.ROTA_SCHEMA ?? 'rota')}\n`);
    process.exit(1);
  });

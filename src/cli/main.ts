#!/usr/bin/env node
import { Command } from 'commander';
import { registerAlertCommands } from './commands/alerts.js';
import { registerBreakerCommands } from './commands/breaker.js';
import { registerCoreCommands } from './commands/core.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerServeCommands } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { setEmbeddedFlag } from './context.js';

/**
 * The `rota` command. Each part of rota registers its own commands from
 * src/cli/commands/<part>.ts, so this file only assembles them.
 */
export function buildCli(): Command {
  const program = new Command('rota')
    .description('PostgreSQL-backed job queue and scheduler (DATABASE_URL selects the database)')
    .option('--embedded', 'worker, schedule run, serve: start a throw-away embedded PostgreSQL when DATABASE_URL is unset')
    .showHelpAfterError()
    .hook('preAction', (cmd) => setEmbeddedFlag(Boolean(cmd.opts().embedded)));
  registerCoreCommands(program);
  registerQueueCommands(program);
  registerBreakerCommands(program);
  registerAlertCommands(program);
  registerScheduleCommands(program);
  registerServeCommands(program);
  registerTokenCommands(program);
  return program;
}

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`rota: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });

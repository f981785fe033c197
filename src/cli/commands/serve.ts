import type { Command } from 'commander';
import { serve } from '../../server/listen.js';
import { onShutdownSignal, openDatabase, rotaFromEnv } from '../context.js';

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port: must be an integer from 0 to 65535 (got ${v})`);
  return n;
}

function bytes(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024) throw new Error(`--body-limit: must be an integer of at least 1024 bytes (got ${v})`);
  return n;
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('the management REST API (OpenAPI at /openapi.json, docs at /docs) and the dashboard')
    .option('--port <port>', 'TCP port (0: any free one)', port, 8080)
    .option('--host <host>', 'interface to bind (without API tokens: 127.0.0.1 only)', '127.0.0.1')
    .option('--body-limit <bytes>', 'largest request body', bytes, 1024 * 1024)
    .action(async (o: { port: number; host: string; bodyLimit: number }) => {
      const db = await openDatabase({ embedded: 'on-flag' });
      const rota = rotaFromEnv(db.url);
      await rota.migrate();
      const { app } = await serve({ rota, port: o.port, host: o.host, bodyLimit: o.bodyLimit, say: (l) => console.log(l) });
      // Alert rules are evaluated by one process at a time (a lease); every server takes part.
      rota.monitor.start();
      onShutdownSignal(async () => {
        await app.close();
        await rota.close();
        await db.close();
      });
    });
}

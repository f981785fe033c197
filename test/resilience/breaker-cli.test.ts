import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/db.js';
import { makeRota } from './helpers.js';

const db = await freshDatabase();
const rota = makeRota(db.url);
beforeAll(() => rota.migrate());

const cli = (...args: string[]) => runCli(['breaker', ...args], { DATABASE_URL: db.url });

describe('rota breaker (CLI)', () => {
  it('opens, lists, resets and shows the history; bad settings are refused and write nothing', async () => {
    await rota.enqueue('ingest', {});
    const opened = await cli('open', 'ingest', '--reason', 'vendor incident');
    expect(opened.code).toBe(0);
    expect(await rota.breakers.get({ queue: 'ingest' })).toMatchObject({ state: 'open', forced: 'open', reason: 'vendor incident' });

    await cli('configure', 'geo', '--dependency', '--failure-ratio', '0.3', '--probes', '2');
    const list = await cli('list', '--json');
    const parsed = (JSON.parse(list.stdout) as { items: Array<{ kind: string; name: string; state: string; failureRatio: number }> }).items;
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
    expect(bad.stderr).toContain('--failure-ratio: must be a number in (0, 1]');
    expect(await rota.breakers.get({ queue: 'other' })).toBeNull();
  });
});

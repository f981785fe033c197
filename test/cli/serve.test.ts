import { describe, expect, it } from 'vitest';
import { migratedDatabase } from '../support/rota.js';
import { spawnTs } from '../support/spawn.js';

const db = await migratedDatabase();

describe('rota serve', () => {
  it('without any token binds to 127.0.0.1 only and says so; serves the API; stops on SIGTERM', async () => {
    const proc = spawnTs('src/cli/main.ts', { DATABASE_URL: db.url }, ['serve', '--port', '0', '--host', '0.0.0.0'], {
      readyText: 'management API on',
    });
    await proc.ready;
    expect(proc.output()).toContain('no API token exists: listening on 127.0.0.1 only, not 0.0.0.0');
    const url = /management API on (http:\/\/[^ ]+)/.exec(proc.output())?.[1] as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = await fetch(`${url}/api/me`);
    expect(await me.json()).toEqual({ name: 'local', role: 'admin', tenant: null });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});

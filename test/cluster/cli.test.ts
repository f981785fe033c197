import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabase } from '../support/db.js';

/** `rota cluster ...` against two databases of the test server standing in for two servers. */
const [one, two] = await Promise.all([freshDatabase(), freshDatabase()]);
const dir = mkdtempSync(join(tmpdir(), 'rota-cluster-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

const good = { servers: { a: { connectionString: 'env:CLUSTER_A' }, b: { connectionString: two.url } }, groups: 4, schemaPrefix: 'cli' };
const env = { CLUSTER_A: one.url, DATABASE_URL: undefined };
const schemas = async () =>
  (
    await Promise.all(
      [one, two].map((d) => d.sql.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cli_%' ORDER BY 1")),
    )
  ).map((r) => r.rows.map((x) => x.nspname));

describe('rota cluster', () => {
  it('rejects a bad config naming the file and field, writing nothing', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{ nope', /--config: .* is not valid JSON/],
      [{ ...good, grups: 4 }, /grups: is not a cluster setting/],
      [{ ...good, placement: ['a', 'b', 'c', 'a'] }, /placement\[2\]: names no server/],
      [
        { ...good, servers: { a: { connectionString: 'env:CLUSTER_MISSING' } } },
        /servers\.a\.connectionString: environment variable CLUSTER_MISSING is not set/,
      ],
    ];
    for (const [body, message] of cases) {
      const r = await runCli(['cluster', 'migrate', '--config', config('bad.json', body)], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await schemas()).toEqual([[], []]);
  });

  it('migrates every group once, reports status, and moves a group', async () => {
    const file = config('good.json', good);
    const first = await runCli(['cluster', 'migrate', '--config', file], env);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/4 groups at version \d+ \(4 migrated now\)/);
    expect(await schemas()).toEqual([
      ['cli_cluster', 'cli_g000', 'cli_g002'],
      ['cli_g001', 'cli_g003'],
    ]);
    const again = await runCli(['cluster', 'migrate', '--config', file], env);
    expect(again.stdout).toMatch(/\(0 migrated now\)/);
    const status = await runCli(['cluster', 'status', '--config', file], env);
    expect(status.stdout).toContain('server a: groups 0, 2');
    const moved = await runCli(['cluster', 'move', '2', 'b', '--config', file], env);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toContain('new placement (put it in');
    expect(moved.stdout).toContain('["a","b","b","b"]');
    expect(await schemas()).toEqual([
      ['cli_cluster', 'cli_g000'],
      ['cli_g001', 'cli_g002', 'cli_g003'],
    ]);
    // Server b unreachable (nothing listens on port 1): status names b's groups, prints the rest, exits 2.
    const down = config('down.json', { ...good, servers: { ...good.servers, b: { connectionString: 'postgres://x@127.0.0.1:1/db' } } });
    const partial = await runCli(['cluster', 'status', '--config', down], env);
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain('server a: groups 0');
    for (const g of [1, 2, 3]) expect(partial.stderr).toContain(`unreachable: group ${g} on server b`);
    expect(partial.stderr).not.toContain('group 0 on');
  });
});

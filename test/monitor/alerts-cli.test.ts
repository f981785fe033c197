import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeRota, migratedDatabase } from '../support/rota.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const db = await migratedDatabase();
const rota = makeRota(db.url);

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'alerts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('rota alerts (CLI)', () => {
  it('configures rules, evaluates, lists and resolves; bad thresholds are refused and write nothing', async () => {
    const set = await cli('rule', 'breaker_open', '--disable');
    expect(set.code).toBe(0);
    expect((await rota.alerts.rules()).find((r) => r.rule === 'breaker_open')?.enabled).toBe(false);
    const bad = await cli('rule', 'oldest_ready', '--set', 'ageSeconds=5');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('thresholds.ageSeconds');
    expect((await rota.alerts.rules()).find((r) => r.rule === 'oldest_ready')?.thresholds).toEqual({ ageMs: 60_000 });

    // A job ready for 10 minutes trips oldest_ready (ageMs 1000) on evaluation.
    await cli('rule', 'oldest_ready', '--set', 'ageMs=1000');
    await rota.enqueue('stale', {}, { runAt: new Date(Date.now() - 600_000) });
    const evaluated = await cli('evaluate');
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toMatch(/warning\s+oldest_ready\s+stale/);
    const list = JSON.parse((await cli('list', '--json')).stdout) as Array<{ id: string; type: string }>;
    expect(list.map((a) => a.type)).toEqual(['oldest_ready']);
    expect((await cli('resolve', list[0]?.id as string)).code).toBe(0);
    expect((await cli('list')).stdout).toContain('no active alerts');
    expect((await cli('list', '--resolved')).stdout).toMatch(/resolved .* by cli:/);
  });
});

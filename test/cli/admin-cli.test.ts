import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rota } from '../../src/index.js';
import { type TestDb, waitFor } from '../support/db.js';
import { makeRota, migratedDatabase } from '../support/rota.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let db: TestDb;
let rota: Rota;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  db = await migratedDatabase();
  rota = makeRota(db.url);
  await rota.enqueueMany('mail', [
    { payload: { to: 'a' }, tenant: 'shop-1' },
    { payload: { to: 'b' }, tenant: 'shop-1' },
    { payload: { to: 'c' }, tenant: 'shop-2' },
  ]);
});

describe('rota jobs | job | cancel | retry | delete | token (CLI)', () => {
  it('lists with filters, shows one job, cancels by filter with a dry run, retries and deletes by id', async () => {
    const list = await cli('jobs', '--queue', 'mail', '--tenant', 'shop-1', '--json');
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout) as { items: Array<{ id: string; tenant: string }> };
    expect(page.items.map((j) => j.tenant)).toEqual(['shop-1', 'shop-1']);
    const one = await cli('job', page.items[0]?.id as string);
    expect(JSON.parse(one.stdout)).toMatchObject({ queue: 'mail', tenant: 'shop-1', attempts: [] });

    const dry = await cli('cancel', '--tenant', 'shop-1', '--dry-run');
    expect(dry.stdout).toContain('2 job(s) match');
    expect((await rota.admin.jobs.list({ tenant: 'shop-1', state: 'available' })).items).toHaveLength(2);
    const cancel = await cli('cancel', '--tenant', 'shop-1');
    expect(cancel.stdout).toContain('cancel: 2 job(s)');
    const retry = await cli('retry', page.items[0]?.id as string);
    expect(retry.stdout).toContain('retried 1 of 1');
    expect((await rota.getJob(page.items[0]?.id as string))?.state).toBe('available');
    const del = await cli('delete', page.items[1]?.id as string);
    expect(del.stdout).toContain('deleted 1 of 1');
  });

  it('refuses bad flags naming them, and writes nothing', async () => {
    const before = (await rota.admin.jobs.list({}, { limit: 500 })).items.length;
    for (const [args, flag] of [
      [['jobs', '--state', 'lost'], 'state'],
      [['jobs', '--payload', '{nope'], '--payload'],
      [['jobs', '--from', 'yesterday'], '--from'],
      [['delete'], 'filter flag'],
      [['retry', 'abc'], 'id'],
    ] as const) {
      const r = await cli(...args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(flag);
    }
    expect((await rota.admin.jobs.list({}, { limit: 500 })).items.length).toBe(before);
  });

  it('creates, lists and revokes tokens; the secret is printed once', async () => {
    const created = await cli('token', 'create', 'ci', '--role', 'operator', '--tenant', 'shop-1', '--json');
    const t = JSON.parse(created.stdout) as { secret: string; role: string; tenant: string };
    expect(t).toMatchObject({ role: 'operator', tenant: 'shop-1' });
    expect(await rota.tokens.verify(t.secret)).toEqual({ name: 'ci', role: 'operator', tenant: 'shop-1' });
    const list = await cli('token', 'list');
    expect(list.stdout).toContain('ci\toperator\tshop-1');
    expect(list.stdout).not.toContain(t.secret);
    expect((await cli('token', 'revoke', 'ci')).code).toBe(0);
    expect((await cli('token', 'create', 'x', '--role', 'root')).stderr).toContain('--role');
  });

  it('schedule status names the process that evaluates', async () => {
    const before = await cli('schedule', 'status');
    expect(before.stdout).toContain('no process has claimed a schedule');
    const sched = makeRota(db.url, { workerId: 'cli-sched' });
    await sched.schedule('cli-every', '* * * * * *', 'ticks', {});
    const h = sched.startScheduler({ pollMs: 20 });
    await waitFor(async () => (await sched.admin.scheduling.state()).evaluators.length > 0);
    await h.stop();
    await sched.unschedule('cli-every');
    const after = await cli('schedule', 'status');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/evaluator cli-sched\tlast claim \d{4}-/);
    const j = JSON.parse((await cli('schedule', 'status', '--json')).stdout) as { evaluators: Array<{ workerId: string }> };
    expect(j.evaluators.map((e) => e.workerId)).toEqual(['cli-sched']);
  });

  it('pages tokens and breakers with --limit / --cursor; a bad cursor names it', async () => {
    for (const n of ['pa', 'pb', 'pc']) await rota.tokens.create({ name: n, role: 'viewer' });
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r = await cli('token', 'list', '--limit', '1', '--json', ...(cursor ? ['--cursor', cursor] : []));
      const page = JSON.parse(r.stdout) as { items: Array<{ name: string }>; nextCursor: string | null };
      expect(page.items).toHaveLength(1);
      seen.push(...page.items.map((t) => t.name));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['pa', 'pb', 'pc']));
    const text = await cli('token', 'list', '--limit', '1');
    expect(text.stdout).toMatch(/more: --cursor \S+/);
    for (const args of [
      ['token', 'list', '--cursor', 'nope!'],
      ['breaker', 'list', '--cursor', 'nope!'],
    ]) {
      const bad = await cli(...args);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('cursor');
    }
    expect((await cli('breaker', 'list', '--limit', '0')).stderr).toContain('--limit');
    for (const n of ['sa', 'sb', 'sc']) await rota.schedule(n, '0 3 * * *', 'mail', {});
    const names: string[] = [];
    let sc: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r = await cli('schedule', 'list', '--limit', '2', '--json', ...(sc ? ['--cursor', sc] : []));
      const page = JSON.parse(r.stdout) as { items: Array<{ name: string; nextRunAt: string }>; nextCursor: string | null };
      names.push(...page.items.map((s) => s.name));
      sc = page.nextCursor;
      if (!sc) break;
    }
    expect(names).toEqual(['sa', 'sb', 'sc']);
    expect((await cli('schedule', 'list', '--cursor', 'nope!')).stderr).toContain('--cursor');
  });
});

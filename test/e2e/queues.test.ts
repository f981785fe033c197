import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['ingest', 'report'] }), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
  const now = await stack.rota.enqueueMany('ingest', [
    ...Array.from({ length: 20 }, (_, i) => ({ payload: { item: i }, tenant: 'store-a' })),
    ...Array.from({ length: 5 }, (_, i) => ({ payload: { item: 100 + i }, tenant: 'store-b' })),
  ]);
  now.push(await stack.rota.enqueue('report', { store: 'all' }, { tenant: 'ops' }));
  // Seven for tomorrow: the report queue's waiting count is exactly 7.
  await stack.rota.enqueueMany(
    'report',
    Array.from({ length: 7 }, (_, i) => ({ payload: { day: i }, tenant: 'ops', delayMs: 86_400_000 })),
  );
  // Wait for the workers to finish the due ones, so the counts on the pages are settled.
  await waitFor(async () => (await Promise.all(now.map((j) => stack.rota.getJob(j.id)))).every((j) => j?.state === 'completed'));
});

describe('overview and queues', () => {
  test('the overview shows every queue with its backlog, and the range is in the URL', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin);
    const backlog = page.getByRole('region', { name: 'Backlog per queue' });
    await backlog.getByRole('link', { name: 'ingest' }).waitFor();
    await backlog.getByRole('link', { name: 'report' }).waitFor();
    await page.getByRole('button', { name: '24h' }).click();
    expect(page.url()).toContain('range=24h');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'overview');
  });

  test('the queues page lists the demo queues with their counts', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    await page.locator('tr[data-queue="ingest"]').waitFor();
    const report = page.locator('tr[data-queue="report"]');
    // The seven delayed report jobs are waiting (the Waiting column).
    await report.getByRole('cell', { name: '7', exact: true }).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'queues');
  });

  test('pausing a queue stops the workers claiming it; resuming lets them finish', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    const row = page.locator('tr[data-queue="ingest"]');
    await row.getByRole('button', { name: 'Pause ingest' }).click();
    await row.getByText('paused', { exact: true }).waitFor();

    const { id } = await stack.rota.enqueue('ingest', { item: 'while-paused' }, { tenant: 'store-a' });
    // Several claim polls later the job is still waiting.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await stack.rota.getJob(id))?.state).toBe('available');

    await row.getByRole('button', { name: 'Resume ingest' }).click();
    await row.getByText('active', { exact: true }).waitFor();
    await waitFor(async () => (await stack.rota.getJob(id))?.state === 'completed', 20_000, 'the job to run after resume');
  });

  test('configuring a queue: a wrong value is named beside its field and nothing is sent; a right one is saved', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    await page.getByRole('button', { name: 'Configure report' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Concurrency', { exact: true }).fill('-3');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('at least 0').waitFor();
    expect(await dialog.getByLabel('Concurrency', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'queue-configure');

    await dialog.getByLabel('Concurrency', { exact: true }).fill('3');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('tr[data-queue="report"]').getByText('≤ 3 running').waitFor();
  });

  test("configuring a tenant's weight on the tenants page", async () => {
    // The rollups are written with the heartbeat; write them now so the shares are there.
    await stack.rota.monitor.writeRollups();
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues/ingest/tenants');
    const row = page.locator('tr[data-tenant="store-b"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Configure store-b' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Weight').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('at least 1').waitFor();
    await dialog.getByLabel('Weight').fill('5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('cell', { name: '5', exact: true }).waitFor();
    // Sorting by name is in the URL.
    await page.getByRole('button', { name: /^Tenant/ }).click();
    expect(page.url()).toContain('sort=name');
    // Each tenant's share of the completed jobs in the window (store-a has 20 or 21 of
    // 25 or 26, after the pause test's job), as the API reports it, and no fair share:
    // neither has a backlog any more.
    const api = new Map((await stack.rota.admin.queues.tenants('ingest')).items.map((t) => [t.tenant, t]));
    const pct = (tenant: string) => `${Math.round(100 * (api.get(tenant)?.share ?? Number.NaN))}%`;
    expect(pct('store-a')).toMatch(/^8\d%$/);
    expect(pct('store-b')).toMatch(/^(19|20)%$/);
    await row.locator('[data-col="share"]').getByText(pct('store-b')).waitFor();
    await page.locator('tr[data-tenant="store-a"] [data-col="share"]').getByText(pct('store-a')).waitFor();
    expect(await row.locator('[data-col="fair-share"]').textContent()).toBe('–');
    await page.getByRole('button', { name: /^Share/ }).click();
    expect(page.url()).toContain('sort=completed');
    await page.locator('tbody tr').first().and(page.locator('tr[data-tenant="store-a"]')).waitFor();
    await page.getByLabel('Share over').selectOption('1h');
    expect(page.url()).toContain('window=1h');
    await row.locator('[data-col="share"]').getByText(pct('store-b')).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'tenants');
  });

  test("forcing a queue's circuit breaker open, then back to automatic", async () => {
    await stack.rota.breakers.configure({ queue: 'report' }, { failureRatio: 0.5 });
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    const row = page.locator('tr[data-queue="report"]');
    await row.getByRole('button', { name: /^Force open\W+breaker of report$/ }).click();
    await row.getByText('open (forced)').waitFor();
    expect((await stack.rota.breakers.get({ queue: 'report' }))?.state).toBe('open');
    await row.getByRole('button', { name: /^Back to automatic\W+breaker of report$/ }).click();
    await row.getByRole('button', { name: /^Force open\W+breaker of report$/ }).waitFor();
    expect((await stack.rota.breakers.get({ queue: 'report' }))?.forced).toBeNull();
  });

  test("a queue breaker's thresholds: a wrong value is named beside its field and writes nothing; a right one is stored", async () => {
    const before = await stack.rota.breakers.get({ queue: 'ingest' });
    expect(before).toBeNull();
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    await page.getByRole('button', { name: /^Thresholds\W+breaker of ingest$/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('no breaker yet').waitFor();
    // Checked in the page: nothing is sent.
    await dialog.getByLabel('Failure ratio').fill('1.5');
    await dialog.getByLabel('Minimum calls').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('at most 1', { exact: true }).waitFor();
    await dialog.getByText('at least 1', { exact: true }).waitFor();
    expect(await dialog.getByLabel('Failure ratio').getAttribute('aria-invalid')).toBe('true');
    expect(await stack.rota.breakers.get({ queue: 'ingest' })).toBeNull();
    // Checked by the server (the longest cool-down below the cool-down): its 400 names the field.
    await dialog.getByLabel('Failure ratio').fill('0.25');
    await dialog.getByLabel('Minimum calls').fill('40');
    await dialog.getByLabel('Cool-down (ms)', { exact: true }).fill('5000');
    await dialog.getByLabel('Longest cool-down (ms)').fill('1000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText(/maxCooldownMs: must be at least cooldownMs/).waitFor();
    expect(await dialog.getByLabel('Longest cool-down (ms)').getAttribute('aria-invalid')).toBe('true');
    expect(await stack.rota.breakers.get({ queue: 'ingest' })).toBeNull();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'breaker-thresholds');

    await dialog.getByLabel('Longest cool-down (ms)').fill('120000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Stored, read back through the API.
    const res = await fetch(`${stack.url}/api/breakers`, { headers: { authorization: `Bearer ${admin}` } });
    const stored = ((await res.json()) as { items: Array<Record<string, unknown>> }).items.find((b) => b.name === 'ingest');
    expect(stored).toMatchObject({
      kind: 'queue',
      state: 'closed',
      failureRatio: 0.25,
      minCalls: 40,
      cooldownMs: 5000,
      maxCooldownMs: 120000,
    });
    await page.locator('tr[data-queue="ingest"]').getByText('closed', { exact: true }).waitFor();

    // Opened again, the form shows the stored values; a change of one threshold is stored.
    await page.getByRole('button', { name: /^Thresholds\W+breaker of ingest$/ }).click();
    expect(await dialog.getByLabel('Minimum calls').inputValue()).toBe('40');
    await dialog.getByLabel('Minimum calls').fill('12');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await stack.rota.breakers.get({ queue: 'ingest' })).toMatchObject({ minCalls: 12, failureRatio: 0.25 });
  });

  test("a queue's retry policy in the configure dialog: a wrong value is named beside its field, a right one is stored and used", async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    await page.getByRole('button', { name: 'Configure report' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Max attempts').fill('0');
    await dialog.getByLabel('Retry jitter').fill('1.5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('at most 1', { exact: true }).waitFor();
    expect(await dialog.getByLabel('Max attempts').getAttribute('aria-invalid')).toBe('true');
    expect((await stack.rota.queue('report').info()).retry).toEqual({ maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'queue-retry');

    await dialog.getByLabel('Max attempts').fill('2');
    await dialog.getByLabel('Retry jitter').fill('0');
    await dialog.getByLabel('First retry delay (ms)').fill('30');
    await dialog.getByLabel('Longest retry delay (ms)').fill('30');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('tr[data-queue="report"] [data-col="retry"]').getByText('2 attempts').waitFor();
    // Stored, read back through the API.
    const res = await fetch(`${stack.url}/api/queues/report`, { headers: { authorization: `Bearer ${admin}` } });
    expect(((await res.json()) as { retry: unknown }).retry).toEqual({ maxAttempts: 2, baseMs: 30, maxMs: 30, jitter: 0 });
    // A job enqueued now without maxAttempts fails for good after two attempts (the
    // workers' code would have given it five).
    const { id } = await stack.rota.enqueue('report', { fail: 'always' }, { tenant: 'ops' });
    const dead = await waitFor(async () => {
      const j = await stack.rota.getJob(id);
      return j?.state === 'dead' ? j : null;
    });
    expect(dead.errors.map((e) => e.attempt)).toEqual([1, 2]);

    // Emptying the fields unsets the policy: the code's values apply again.
    await page.getByRole('button', { name: 'Configure report' }).click();
    expect(await dialog.getByLabel('Max attempts').inputValue()).toBe('2');
    for (const label of ['Max attempts', 'First retry delay (ms)', 'Longest retry delay (ms)', 'Retry jitter'])
      await dialog.getByLabel(label).fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await stack.rota.queue('report').info()).retry).toEqual({ maxAttempts: null, baseMs: null, maxMs: null, jitter: null });
  });
});

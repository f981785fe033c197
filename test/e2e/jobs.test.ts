import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;
let deadId: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['ingest'] }), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
  await stack.rota.enqueueMany(
    'ingest',
    Array.from({ length: 12 }, (_, i) => ({ payload: { item: i, customer: { id: i % 3 } }, tenant: i % 2 ? 'store-a' : 'store-b' })),
  );
  deadId = (await stack.rota.enqueue('ingest', { item: 'bad-1', fail: 'permanent' }, { tenant: 'store-a' })).id;
  // 30 jobs for later: delayed an hour, so they are still scheduled when the bulk cancel runs.
  await stack.rota.enqueueMany(
    'ingest',
    Array.from({ length: 30 }, (_, i) => ({ payload: { item: 200 + i, batch: 'later' }, tenant: 'store-c', delayMs: 3_600_000 })),
  );
  await waitFor(async () => (await stack.rota.getJob(deadId))?.state === 'dead', 20_000, 'the bad job to die');
});

describe('jobs', () => {
  test('filter by state (in the URL) and search by payload, as a path = value and as a JSON fragment', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/jobs');
    const filters = page.getByRole('form', { name: 'Job filters' });
    await filters.getByLabel('State').selectOption('dead');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator(`tr[data-job="${deadId}"]`).waitFor();
    expect(page.url()).toContain('state=dead');
    expect(await page.locator('tbody tr[data-job]').count()).toBe(1);

    await filters.getByLabel('State').selectOption('');
    await filters.getByLabel('Payload').fill('customer.id = 2');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    // items 2, 5, 8, 11 have customer.id 2
    await waitFor(async () => (await page.locator('tbody tr[data-job]').count()) === 4, 10_000, 'four matches');
    await screenshot(page, 'jobs');

    await filters.getByLabel('Payload').fill('{"item": "bad-1"}');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator(`tr[data-job="${deadId}"]`).waitFor();
    await waitFor(async () => (await page.locator('tbody tr[data-job]').count()) === 1, 10_000, 'one match');

    // A broken fragment is named beside the field and nothing is asked.
    await filters.getByLabel('Payload').fill('{"item": ');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await filters.getByText(/not valid JSON/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The URL alone reproduces the view (shareable).
    const shared = await openPage(browser, stack.url);
    await signIn(shared, stack.url, admin, `#/jobs?state=dead`);
    await shared.locator(`tr[data-job="${deadId}"]`).waitFor();
  });

  test('open a dead job: its attempt, error and stack; retry it', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/jobs?state=dead');
    await page.getByRole('link', { name: deadId, exact: true }).click();
    await page.getByRole('heading', { name: new RegExp(`Job ${deadId}`) }).waitFor();
    await page.getByText('item bad-1 is malformed').first().waitFor();
    await page.getByText('Stack').first().click();
    await page
      .getByText(/PermanentError|at /)
      .first()
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'job-detail');

    await page.getByRole('button', { name: 'Retry' }).click();
    // It runs again (and dies again: the payload still says so), now with two attempts.
    // It runs again and dies again (the payload still says so): a second attempt is listed,
    // with the first one's error kept.
    await waitFor(async () => (await page.locator('ol.attempts > li').count()) === 2, 20_000, 'a second attempt');
    expect((await stack.rota.getJob(deadId))?.errors).toHaveLength(2);
  });

  test('bulk cancel: the count is shown first, then the jobs are cancelled', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/jobs?state=scheduled&payload=batch%20%3D%20later');
    await page.locator('tbody tr[data-job]').first().waitFor();
    await page.getByRole('button', { name: 'Cancel matching…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('bulk-count').getByText('30 jobs match this filter.').waitFor();
    await screenshot(page, 'bulk-cancel');
    // Nothing happened yet.
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM rota.jobs WHERE state = 'cancelled'`)).rows[0].n).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel 30 jobs' }).click();
    await dialog.getByTestId('bulk-done').getByText('30 jobs cancelled.').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByText('No job matches.').waitFor();
  });

  test('enqueue: bad JSON is refused beside the field; a good job opens its page', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/jobs');
    await page.getByRole('button', { name: 'Enqueue a job…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Queue').fill('ingest');
    await dialog.getByLabel('Tenant').fill('store-z');
    await dialog.getByLabel('Payload (JSON)').fill('{item: 1}');
    await dialog.getByRole('button', { name: 'Enqueue' }).click();
    await dialog.getByText(/not valid JSON/).waitFor();
    await dialog.getByLabel('Payload (JSON)').fill('{"item": "from-the-dashboard"}');
    await dialog.getByRole('button', { name: 'Enqueue' }).click();
    await page.getByRole('heading', { name: /^Job \d+/ }).waitFor();
    await page.getByText('from-the-dashboard').first().waitFor();
  });
});

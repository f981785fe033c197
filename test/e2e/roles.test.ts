import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let jobOfA: string;
let jobOfB: string;

const WRITE_BUTTONS =
  /^(Pause|Resume|Configure|Retry|Cancel|Delete|Enqueue|Trigger|Disable|Enable|Resolve|Force|Back to automatic|Edit|Thresholds)/;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['ingest'] }), launchBrowser()]);
  jobOfA = (await stack.rota.enqueue('ingest', { item: 'a', fail: 'permanent' }, { tenant: 'tenant-alpha' })).id;
  jobOfB = (await stack.rota.enqueue('ingest', { item: 'b', fail: 'permanent' }, { tenant: 'tenant-bravo' })).id;
  await waitFor(async () => (await stack.rota.getJob(jobOfB))?.state === 'dead' && (await stack.rota.getJob(jobOfA))?.state === 'dead');
});

describe('roles', () => {
  test('a viewer sees the data and no write control on any page', async () => {
    const viewer = await stack.token('e2e-viewer', 'viewer');
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, viewer, '#/queues');
    await page.locator('tr[data-queue="ingest"]').waitFor();
    expect(await page.getByRole('button', { name: WRITE_BUTTONS }).count()).toBe(0);

    await page.goto(`${stack.url}/#/jobs?state=dead`);
    await page.locator(`tr[data-job="${jobOfA}"]`).waitFor();
    expect(await page.getByRole('button', { name: WRITE_BUTTONS }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /matching/ }).count()).toBe(0);

    await page.goto(`${stack.url}/#/jobs/${jobOfA}`);
    await page.getByText('item a is malformed').first().waitFor();
    expect(await page.getByRole('button', { name: WRITE_BUTTONS }).count()).toBe(0);

    await page.goto(`${stack.url}/#/queues/ingest/tenants`);
    await page.locator('tr[data-tenant="tenant-alpha"]').waitFor();
    expect(await page.getByRole('button', { name: WRITE_BUTTONS }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  test("a tenant token sees its tenant only: another tenant's job is not found and its name appears nowhere", async () => {
    const scoped = await stack.token('e2e-alpha', 'operator', 'tenant-alpha');
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, scoped, '#/jobs');
    await page.locator(`tr[data-job="${jobOfA}"]`).waitFor();
    expect(await page.locator(`tr[data-job="${jobOfB}"]`).count()).toBe(0);
    await screenshot(page, 'tenant-jobs');

    await page.goto(`${stack.url}/#/jobs/${jobOfB}`);
    await page.getByText('No such job').waitFor();

    // Queue settings are cluster-wide (the server answers 403 to a tenant token): no control for them.
    await page.goto(`${stack.url}/#/queues`);
    await page.locator('tr[data-queue="ingest"]').waitFor();
    expect(await page.getByRole('button', { name: /^(Pause|Resume|Configure|Thresholds|Force|Back to automatic)/ }).count()).toBe(0);
    await page.goto(`${stack.url}/#/queues/ingest/tenants`);
    await page.locator('tr[data-tenant="tenant-alpha"]').waitFor();
    expect(await page.getByRole('button', { name: /^Configure/ }).count()).toBe(0);

    for (const hash of ['#/', '#/queues', '#/jobs', '#/jobs?tenant=tenant-bravo', `#/jobs/${jobOfA}`, '#/queues/ingest/tenants']) {
      await page.goto(`${stack.url}/${hash}`);
      await page.waitForLoadState('networkidle');
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text.includes('tenant-bravo'), `${hash} shows another tenant's name`).toBe(false);
      if (hash.includes('tenant-bravo')) expect(await page.locator('tbody tr[data-job]').count()).toBe(0);
    }
  });
});

import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type E2ePayload, type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['ingest'] }), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
  const jobs = await stack.rota.enqueueMany<E2ePayload>('ingest', [
    ...Array.from({ length: 3 }, (_, i) => ({ payload: { item: `bad-${i}`, fail: 'permanent' as const }, tenant: 'store-a' })),
    ...Array.from({ length: 10 }, (_, i) => ({ payload: { item: i }, tenant: 'store-b' })),
  ]);
  await waitFor(async () => {
    const states = await Promise.all(jobs.map((j) => stack.rota.getJob(j.id)));
    return states.every((s) => s?.state === 'dead' || s?.state === 'completed');
  });
});

describe('alerts', () => {
  test('an alert fires (dead jobs), shows on the overview and the alerts page, and is resolved from there', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/alerts');
    await page.getByText('No active alert.').waitFor();

    // The monitor writes this process's per-minute rollups and evaluates the rules once
    // (what its timer does every few seconds in `rota serve`).
    await stack.rota.monitor.writeRollups();
    await stack.rota.monitor.evaluate();

    const row = page.locator('tr[data-alert="dead_jobs"]');
    await row.waitFor({ timeout: 15_000 });
    await row.getByText(/3 jobs dead/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'alerts');

    await page.goto(`${stack.url}/#/`);
    await page
      .getByRole('region', { name: 'Active alerts' })
      .getByText(/3 jobs dead/)
      .waitFor();
    // Rollups feed the charts: the throughput chart has drawn.
    await page.locator('.chart canvas').first().waitFor();
    await screenshot(page, 'overview-alert');

    await page.goto(`${stack.url}/#/alerts`);
    await row.getByRole('button', { name: 'Resolve dead_jobs' }).click();
    await page.getByText('No active alert.').waitFor();
    await page.getByRole('button', { name: 'resolved' }).click();
    await page
      .locator('tr[data-alert="dead_jobs"]')
      .getByText(/by e2e-admin/)
      .waitFor();
  });

  test('rules: a threshold is edited with its error beside the field', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/alerts?show=rules');
    const row = page.locator('tr[data-rule="dead_jobs"]');
    await row.getByRole('button', { name: 'Edit thresholds of dead_jobs' }).click();
    await row.getByLabel('minDead').fill('-1');
    await row.getByRole('button', { name: 'Save dead_jobs' }).click();
    await row.getByText('a number, 0 or more').waitFor();
    await row.getByLabel('minDead').fill('5');
    await row.getByRole('button', { name: 'Save dead_jobs' }).click();
    await row.getByText(/minDead 5/).waitFor();
    const rules = await stack.rota.alerts.rules();
    expect(rules.find((r) => r.rule === 'dead_jobs')?.thresholds.minDead).toBe(5);
  });
});

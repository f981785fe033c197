import { beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let operator: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['report'] }), launchBrowser()]);
  operator = await stack.token('e2e-operator', 'operator');
  await stack.rota.schedule('nightly-report', '0 3 * * *', 'report', { store: 'all' }, { tenant: 'ops' });
});

describe('schedules and workers', () => {
  test('trigger a schedule now: its cycle and job appear; disable it; pause all schedulers', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, operator, '#/schedules');
    const row = page.locator('tr[data-schedule="nightly-report"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Trigger now nightly-report' }).click();
    await row.getByRole('button', { name: 'Cycles of nightly-report' }).click();
    const cycles = page.getByRole('region', { name: 'Cycles of nightly-report' });
    await cycles.getByRole('cell', { name: 'manual' }).waitFor();
    // The cycle links the job it enqueued.
    const [cycle] = await stack.rota.scheduleCycles({ schedule: 'nightly-report' });
    expect(cycle?.jobId).toBeTruthy();
    await cycles.getByRole('link', { name: String(cycle?.jobId) }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'schedules');

    await row.getByRole('button', { name: 'Disable nightly-report' }).click();
    await row.getByText('disabled').waitFor();
    expect((await stack.rota.schedules()).find((s) => s.name === 'nightly-report')?.enabled).toBe(false);

    await page.getByRole('button', { name: 'Pause all schedulers' }).click();
    await page.getByRole('button', { name: 'Resume all schedulers' }).waitFor();
    await page.getByRole('button', { name: 'Resume all schedulers' }).click();
    await page.getByRole('button', { name: 'Pause all schedulers' }).waitFor();
  });

  test('the workers page lists this process with its queue, and the connections by application', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, operator, '#/workers');
    await page.getByRole('region', { name: 'Live worker processes' }).getByRole('cell', { name: 'report', exact: true }).waitFor();
    await page.getByTestId('connections-summary').waitFor();
    expect(await page.getByRole('region', { name: 'Connections by application and state' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'workers');
  });
});

import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ work: ['ingest'] }), launchBrowser()]);
  await stack.rota.enqueueMany(
    'ingest',
    Array.from({ length: 5 }, (_, i) => ({ payload: { item: i }, tenant: `store-${i}` })),
  );
  await stack.rota.schedule('nightly', '0 3 * * *', 'ingest', { item: 'nightly' }, { tenant: 'ops' });
});

// Local mode (no token exists): the loopback caller is the local admin, no login.
describe('layout', () => {
  test('dark mode: every page passes axe (contrast included) and the choice is remembered', async () => {
    const page = await openPage(browser, stack.url, { dark: true });
    await signIn(page, stack.url, null, '#/queues');
    await page.locator('tr[data-queue="ingest"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    for (const [hash, ready] of [
      ['#/', 'section[aria-labelledby="backlog-h"] tbody tr'],
      ['#/queues', 'tr[data-queue]'],
      ['#/queues/ingest/tenants', 'tr[data-tenant]'],
      ['#/jobs', 'tr[data-job]'],
      ['#/schedules', 'tr[data-schedule]'],
      ['#/alerts', 'main h1'],
      ['#/workers', '[data-testid="connections-summary"]'],
    ] as const) {
      await page.goto(`${stack.url}/${hash}`);
      await page.locator(ready).first().waitFor();
      expect(await seriousA11yViolations(page), hash).toEqual([]);
    }
    await page.goto(`${stack.url}/#/`);
    await page.locator('section[aria-labelledby="backlog-h"] tbody tr').first().waitFor();
    await screenshot(page, 'overview-dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    await page.reload();
    await page.locator('tr').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  test('a narrow window: nothing overflows the page sideways', async () => {
    const page = await openPage(browser, stack.url, { width: 420, height: 800 });
    await signIn(page, stack.url, null, '#/jobs');
    await page.locator('tr[data-job]').first().waitFor();
    await screenshot(page, 'jobs-narrow');
    // Wide tables scroll inside their own box; the page itself never scrolls sideways.
    for (const hash of ['#/', '#/queues', '#/jobs', '#/workers']) {
      await page.goto(`${stack.url}/${hash}`);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, hash).toBeLessThanOrEqual(0);
    }
  });

  test('keyboard: skip link, navigation and a job opened without the mouse', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, null, '#/');
    await page.locator('section[aria-labelledby="backlog-h"] tbody tr').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // Tab to the Jobs link in the navigation and follow it.
    await page.getByRole('link', { name: 'Jobs', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('tr[data-job]').first().waitFor();
    const first = page.locator('tr[data-job] a').first();
    const id = await first.textContent();
    await first.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(`^Job ${id}`) }).waitFor();
  });

  test('a failed request shows why, and its Retry works', async () => {
    const page = await openPage(browser, stack.url);
    // The queues request fails at the network level (as when the server is gone).
    const queuesList = (url: URL) => url.pathname === '/api/queues';
    await page.route(queuesList, (route) => route.abort('connectionrefused'));
    await signIn(page, stack.url, null, '#/queues');
    const alert = page.getByRole('alert');
    await alert.getByText(/cannot reach the server/).waitFor();
    await page.unroute(queuesList);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.locator('tr[data-queue="ingest"]').waitFor();
  });

  test('refreshing stops while the tab is hidden and resumes when it is shown', async () => {
    const page = await openPage(browser, stack.url);
    let asked = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/queues') asked++;
    });
    await signIn(page, stack.url, null, '#/queues');
    await page.locator('tr[data-queue="ingest"]').waitFor();
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
        Object.defineProperty(document, 'hidden', { value: h, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    const before = asked;
    // Longer than two refresh intervals (5 s each): nothing is asked while hidden.
    await page.waitForTimeout(11_000);
    expect(asked).toBe(before);
    await setHidden(false);
    await waitFor(() => asked > before, 10_000, 'a refresh after the tab is shown again');
  });
});

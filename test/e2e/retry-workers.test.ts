import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { makeRota } from '../support/rota.js';
import { launchBrowser, openPage, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

/**
 * A stored retry policy reaches running worker processes without a restart, and the
 * workers page shows the backoff each process uses (from its heartbeat).
 */

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;
let workerId: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
  await stack.rota.queue('mail').configure({}, { create: true });
  // Another worker process (its own Rota), heartbeating every leaseMs / 3 = 500 ms.
  const worker = makeRota(stack.dbUrl, { leaseMs: 1_500 });
  worker.work('mail', { concurrency: 1, retry: { baseMs: 250, maxMs: 4_000, jitter: 0.5 } }, async () => null);
  workerId = worker.workerId;
});

describe('retry policy and the workers page', () => {
  test("the workers page shows the code's backoff, then the stored one an operator saved on the queues page", async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/workers');
    const cell = page.locator(`tr[data-worker="${workerId}"] [data-col="retry"]`);
    await cell.getByText('mail: 250 ms … 4.0 s, jitter 0.5').waitFor();

    await page.goto(`${stack.url}/#/queues`);
    await page.getByRole('button', { name: 'Configure mail' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('First retry delay (ms)').fill('30000');
    await dialog.getByLabel('Longest retry delay (ms)').fill('600000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The worker process was not restarted: it read the stored parts with a heartbeat
    // (jitter is not stored, so work()'s 0.5 stays).
    await page.goto(`${stack.url}/#/workers`);
    await waitFor(
      async () => ((await cell.textContent()) ?? '').replace(/\s+/g, ' ').includes('mail: 30 s … 10 min, jitter 0.5'),
      20_000,
      'the stored backoff on the workers page',
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { waitFor } from '../support/db.js';
import { makeRota } from '../support/rota.js';
import { launchBrowser, openPage, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

/**
 * Keyset pages on the queues, schedules and workers pages (`?size=` in the URL, default
 * 50): Next follows the API's cursor, Previous and First replay the cursors seen.
 */

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;
const QUEUES = ['q-a', 'q-b', 'q-c', 'q-d', 'q-e'];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
  for (const q of QUEUES) await stack.rota.queue(q).configure({}, { create: true });
  for (const name of ['s-1', 's-2', 's-3']) await stack.rota.schedule(name, '0 3 * * *', 'q-a', { name });
  // Three worker processes (three Rota instances, each its own workers row).
  for (const q of ['q-a', 'q-b', 'q-c']) makeRota(stack.dbUrl).work(q, { concurrency: 1 }, async () => null);
  await waitFor(async () => (await stack.rota.workers()).length === 3, 20_000, 'three live workers');
});

/** The rows shown now, by their key attribute (data-queue, data-schedule, data-worker). */
async function rows(page: Page, attr: string): Promise<string[]> {
  return page.locator(`tbody tr[${attr}]`).evaluateAll((trs, a) => trs.map((tr) => tr.getAttribute(a) ?? ''), attr);
}

async function walk(page: Page, attr: string, expected: string[][]): Promise<void> {
  const pager = page.getByRole('navigation', { name: 'Pages' });
  for (const [i, want] of expected.entries()) {
    await pager.getByText(`page ${i + 1}`).waitFor();
    await waitFor(async () => JSON.stringify(await rows(page, attr)) === JSON.stringify(want), 10_000, `page ${i + 1}: ${want}`);
    const next = pager.getByRole('button', { name: 'Next' });
    if (i < expected.length - 1) await next.click();
    else expect(await next.isDisabled()).toBe(true);
  }
  await pager.getByRole('button', { name: 'Previous' }).click();
  await pager.getByText(`page ${expected.length - 1}`).waitFor();
  await waitFor(async () => JSON.stringify(await rows(page, attr)) === JSON.stringify(expected.at(-2)), 10_000, 'the page before');
  const first = pager.getByRole('button', { name: 'First' });
  if (expected.length > 2) {
    await first.click();
    await pager.getByText('page 1').waitFor();
    await waitFor(async () => JSON.stringify(await rows(page, attr)) === JSON.stringify(expected[0]), 10_000, 'the first page');
  } else {
    expect(await first.isDisabled()).toBe(true);
  }
}

describe('paging', () => {
  test('queues: pages of two, forward to the end and back', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues?size=2');
    await walk(page, 'data-queue', [['q-a', 'q-b'], ['q-c', 'q-d'], ['q-e']]);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  test('queues: with the default size of 50 every queue fits one page and no pager shows', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/queues');
    await page.locator('tr[data-queue="q-e"]').waitFor();
    expect(await rows(page, 'data-queue')).toEqual(QUEUES);
    expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
  });

  test('schedules: pages of two', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/schedules?size=2');
    await walk(page, 'data-schedule', [['s-1', 's-2'], ['s-3']]);
  });

  test('workers: pages of two over three live processes', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/workers?size=2');
    // In the API's order (the three share a host and pid: they are told apart by id).
    const res = await fetch(`${stack.url}/api/workers`, { headers: { authorization: `Bearer ${admin}` } });
    const ids = ((await res.json()) as { items: Array<{ id: string }> }).items.map((w) => w.id);
    expect(ids).toHaveLength(3);
    await walk(page, 'data-worker', [ids.slice(0, 2), ids.slice(2)]);
  });
});

import { beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
});

describe('login', () => {
  test('without any token the loopback caller is the local admin: no login page', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, null);
    await expect(page.getByTestId('identity').textContent()).resolves.toContain('local · admin (local mode)');
  });

  test('with tokens: the login page, a wrong token is refused beside the field, a right one signs in', async () => {
    const secret = await stack.token('e2e-admin', 'admin');
    const page = await openPage(browser, stack.url);
    await page.goto(`${stack.url}/#/`);
    const field = page.getByLabel('API token');
    await field.fill('rota_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('This token is not valid.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'login');

    await field.fill(secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('identity').getByText('e2e-admin · admin').waitFor();
    // The token is remembered: a reload stays signed in.
    await page.reload();
    await expect(page.getByTestId('identity').textContent()).resolves.toContain('e2e-admin');
    // Signing out forgets it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
  });
});

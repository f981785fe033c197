import { beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, openPage, screenshot, seriousA11yViolations, signIn } from './support/browser.js';
import { type Stack, startStack } from './support/stack.js';

/** The tokens page: admins list, create (the secret shown once) and revoke; nobody else sees it. */

let stack: Stack;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let admin: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  admin = await stack.token('e2e-admin', 'admin');
});

const me = (secret: string) => fetch(`${stack.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } });

describe('API tokens', () => {
  test('create a tenant-scoped viewer: a wrong name is named beside its field; the secret is shown once and works', async () => {
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/tokens');
    await page.locator('tr[data-token="e2e-admin"]').waitFor();
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('required', { exact: true }).waitFor();
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Name').fill('shop-7-reader');
    await dialog.getByLabel('Tenant').fill('shop-7');
    await dialog.getByLabel('Expires after (days)').fill('0');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText('at least 1', { exact: true }).waitFor();
    expect((await stack.rota.tokens.list()).map((t) => t.name)).toEqual(['e2e-admin']);

    await dialog.getByLabel('Expires after (days)').fill('30');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const secret = await dialog.getByTestId('secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The secret is nowhere on the page any more, and it signs in as what was asked for.
    expect((await page.locator('body').textContent())?.includes(secret)).toBe(false);
    expect(await (await me(secret)).json()).toMatchObject({ name: 'shop-7-reader', role: 'viewer', tenant: 'shop-7' });
    const row = page.locator('tr[data-token="shop-7-reader"]');
    await row.getByText('shop-7', { exact: true }).waitFor();
    await row.getByText('live', { exact: true }).waitFor();
    await screenshot(page, 'tokens');
  });

  test('revoke after a confirmation: the token stops working and shows only with "Show revoked"', async () => {
    const { secret } = await stack.rota.tokens.create({ name: 'old-ci', role: 'operator' });
    expect((await me(secret)).status).toBe(200);
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, admin, '#/tokens');
    await page.getByRole('button', { name: 'Revoke old-ci' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await me(secret)).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke old-ci' }).click();
    await dialog.getByRole('button', { name: 'Revoke old-ci' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('tr[data-token="old-ci"]').waitFor({ state: 'detached' });
    expect((await me(secret)).status).toBe(401);
    await page.getByLabel('Show revoked').check();
    expect(page.url()).toContain('all=true');
    await page.locator('tr[data-token="old-ci"]').getByText('revoked', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Revoke old-ci' }).count()).toBe(0);
  });

  test('an operator has no Tokens page in the menu, and the page itself says it is for admins', async () => {
    const operator = await stack.token('e2e-operator', 'operator');
    const page = await openPage(browser, stack.url);
    await signIn(page, stack.url, operator, '#/');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tokens' }).count()).toBe(0);
    await page.goto(`${stack.url}/#/tokens`);
    await page.getByText('Only an admin token manages tokens.').waitFor();
    expect(await page.getByRole('button', { name: 'Create token' }).count()).toBe(0);
  });
});

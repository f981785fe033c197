import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, expect } from 'vitest';

/** Debian's chromium (installed by .ci/install-chromium.sh); CHROMIUM overrides the path. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** One headless Chromium for the calling test file, closed after it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/install-chromium.sh (or set CHROMIUM)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root (CI here) Chromium refuses its sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  afterAll(() => browser.close());
  return browser;
}

/** A page at the dashboard's size of reference (1280x800); the console's errors fail the test. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  opts: { width?: number; height?: number; dark?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.dark ? 'dark' : 'light',
    baseURL: baseUrl,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  afterAll(() => {
    expect(errors, 'uncaught errors in the page').toEqual([]);
    return context.close();
  });
  return page;
}

/** Opens the dashboard and signs in with `token` (null: local mode, no login page). */
export async function signIn(page: Page, baseUrl: string, token: string | null, hash = '#/'): Promise<void> {
  await page.goto(`${baseUrl}/${hash}`);
  if (token === null) return;
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('identity').waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page: the serious and critical violations (an empty list passes). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    return res.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Saves a full-page screenshot under test/e2e/screenshots (gitignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

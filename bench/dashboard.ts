/**
 * The dashboard with 1,000,000 jobs (issue #12): time to first data per page, in
 * headless Chromium (Debian's, through playwright-core) against the real server and
 * PostgreSQL. The tables hold 1M jobs over 3 queues and 10,000 tenants (most waiting,
 * some finished by a worker run first, ~1% of those dead). Each measurement opens the
 * page in a new browser context (cold: no cache, a fresh login from the stored token)
 * and takes performance.now() when the page's first row of data is in the DOM, so it
 * includes loading the bundle, /api/me and the page's own requests. Medians of `runs`.
 * With --quick: 100,000 jobs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PermanentError, Rota } from '../src/index.js';
import { buildServer } from '../src/server/app.js';
import { ensureBundle } from '../web/scripts/build.mjs';
import { type BenchServer, median, printTable } from './lib.js';
import type { BenchOptions } from './scenario.js';

export const name = 'dashboard';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));
const TENANTS = 10_000;
const QUEUES = ['ingest', 'report', 'email'];
const CHUNK = 5_000;

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

async function load(rota: Rota, total: number): Promise<number> {
  const t0 = performance.now();
  for (let base = 0; base < total; base += CHUNK) {
    const n = Math.min(CHUNK, total - base);
    const queue = QUEUES[(base / CHUNK) % QUEUES.length] as string;
    await rota.enqueueMany(
      queue,
      Array.from({ length: n }, (_, k) => {
        const i = base + k;
        return {
          payload: { item: i, customer: { id: i % 5_000 }, ...(i % 97 === 0 ? { fail: 'permanent' } : {}) },
          tenant: `tenant-${i % TENANTS}`,
          priority: i % 10 === 0 ? ('high' as const) : ('normal' as const),
        };
      }),
    );
  }
  return (total / (performance.now() - t0)) * 1000;
}

/** Finishes some jobs (history, dead ones, rollups) with a no-op worker for `ms`. */
async function history(rota: Rota, ms: number): Promise<void> {
  for (const q of QUEUES) {
    rota.work<{ fail?: string }>(q, { concurrency: 20 }, async (job) => {
      if (job.payload.fail) throw new PermanentError('bench: a dead one');
      return null;
    });
  }
  await sleep(ms);
  await rota.stopWorkers();
}

interface PageCase {
  page: string;
  hash: string;
  /** The first element that carries data. */
  selector: string;
}

export async function run(server: BenchServer, opts: BenchOptions): Promise<void> {
  const total = opts.quick ? 100_000 : 1_000_000;
  const url = await server.freshDatabase('dash');
  const rota = new Rota({ connectionString: url, logger: silent });
  await rota.migrate();
  console.error(`bench dashboard: loading ${total.toLocaleString('en-US')} jobs…`);
  const enqueueRate = await load(rota, total);
  await history(rota, opts.quick ? 5_000 : 15_000);
  await rota.schedule('nightly-report', '0 3 * * *', 'report', { store: 'all' });
  const anyJob =
    (await rota.pool.query<{ id: string }>(`SELECT id::text FROM ${rota.schema}.jobs ORDER BY id DESC LIMIT 1`)).rows[0]?.id ?? '1';

  await ensureBundle();
  const app = await buildServer({ rota, logger: silent, webRoot: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });

  const cases: PageCase[] = [
    { page: 'overview (backlog)', hash: '#/', selector: 'section[aria-labelledby="backlog-h"] tbody tr' },
    { page: 'overview (charts)', hash: '#/', selector: '.chart canvas' },
    { page: 'queues', hash: '#/queues', selector: 'tr[data-queue]' },
    { page: 'tenants (10k, by backlog)', hash: '#/queues/ingest/tenants', selector: 'tr[data-tenant]' },
    { page: 'tenants (search)', hash: '#/queues/ingest/tenants?search=tenant-99', selector: 'tr[data-tenant]' },
    { page: 'jobs (all)', hash: '#/jobs', selector: 'tr[data-job]' },
    { page: 'jobs (queue + tenant)', hash: '#/jobs?queue=ingest&tenant=tenant-42', selector: 'tr[data-job]' },
    { page: 'jobs (dead)', hash: '#/jobs?state=dead', selector: 'tr[data-job]' },
    { page: 'jobs (payload search)', hash: '#/jobs?payload=customer.id%20%3D%204321', selector: 'tr[data-job]' },
    { page: 'job detail', hash: `#/jobs/${anyJob}`, selector: 'dl.kv' },
    { page: 'schedules', hash: '#/schedules', selector: 'tr[data-schedule]' },
    { page: 'workers and connections', hash: '#/workers', selector: '[data-testid="connections-summary"]' },
  ];

  const times = new Map<string, number[]>(cases.map((c) => [c.page, []]));
  // The slowest API request of the page's first load: how much of the time is the server's.
  const apiTimes = new Map<string, number[]>(cases.map((c) => [c.page, []]));
  // When the bundle had run (DOMContentLoaded) and when /api/me answered: the browser's and the app's own share.
  const shellTimes = new Map<string, number[]>(cases.map((c) => [c.page, []]));
  const meTimes = new Map<string, number[]>(cases.map((c) => [c.page, []]));
  try {
    for (let r = 0; r < opts.runs; r++) {
      for (const c of cases) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await context.newPage();
        await page.goto(`${base}/${c.hash}`);
        const handle = await page.waitForFunction((sel) => (document.querySelector(sel) ? performance.now() : 0), c.selector, {
          timeout: 60_000,
          polling: 'raf',
        });
        times.get(c.page)?.push((await handle.jsonValue()) as number);
        const slowest = await page.evaluate(() =>
          Math.max(
            0,
            ...performance
              .getEntriesByType('resource')
              .filter((e) => e.name.includes('/api/'))
              .map((e) => e.duration),
          ),
        );
        apiTimes.get(c.page)?.push(slowest);
        const [shell, me] = await page.evaluate(() => [
          (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.domContentLoadedEventEnd ?? 0,
          (performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/me')) as PerformanceResourceTiming | undefined)
            ?.responseEnd ?? 0,
        ]);
        shellTimes.get(c.page)?.push(shell ?? 0);
        meTimes.get(c.page)?.push(me ?? 0);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await app.close();
    await rota.close();
  }

  printTable(
    `Dashboard: time to first data with ${total.toLocaleString('en-US')} jobs, ${TENANTS.toLocaleString('en-US')} tenants (ms from navigation, cold context)`,
    [
      ...cases.map((c) => {
        const xs = times.get(c.page) ?? [];
        return {
          page: c.page,
          'first data, median ms': Math.round(median(xs)),
          'max ms': Math.round(Math.max(...xs)),
          'bundle ran (DOMContentLoaded) ms': Math.round(median(shellTimes.get(c.page) ?? [])),
          '/api/me answered ms': Math.round(median(meTimes.get(c.page) ?? [])),
          'slowest API request, median ms': Math.round(median(apiTimes.get(c.page) ?? [])),
        };
      }),
    ],
  );
  console.log(`\nBulk enqueue while loading: ${Math.round(enqueueRate).toLocaleString('en-US')} jobs/s.`);
}

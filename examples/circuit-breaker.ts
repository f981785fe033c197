/**
 * A circuit breaker shared by every worker process, in front of a flaky API.
 *
 *   npx tsx examples/circuit-breaker.ts       (an embedded PostgreSQL unless DATABASE_URL is set)
 *
 * Jobs geocode addresses through an HTTP API. The API is healthy, goes down (503) for
 * 8 seconds, then comes back. Watch the breaker open after a few failures, hold the
 * jobs back (uncharged) while the API is down, let a probe through after each
 * cooldown, and close once the probes succeed. Run it in two terminals against the
 * same DATABASE_URL and both processes follow the same breaker.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedPostgres } from '../src/db/embedded.js'; // in an application: from 'rota/embedded'
import { PermanentError, Rota } from '../src/index.js'; // in an application: from 'rota'

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`geo API answered ${status}`);
  }
}

// The API we depend on: a stand-in that can be switched off.
let apiDown = false;
let apiCalls = 0;
const api = createServer((_req, res) => {
  apiCalls++;
  res.statusCode = apiDown ? 503 : 200;
  res.end('{"lat":52.5,"lon":13.4}');
});
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/geocode`;

const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres();
const rota = new Rota({ connectionString: process.env.DATABASE_URL ?? (embedded?.url as string) });
await rota.migrate();

// The breaker's settings live in the database: every worker process, the CLI
// (`rota breaker list`) and the dashboard see the same breaker.
await rota.breakers.configure(
  { dependency: 'geo-api' },
  { failureRatio: 0.5, minCalls: 10, windowMs: 10_000, cooldownMs: 1_000, maxCooldownMs: 4_000, probes: 2 },
);

const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s`;
rota.on('breaker:state', (e) => console.log(`${at()}  breaker ${e.name}: ${e.from} -> ${e.to} (${e.reason})`));

rota.work<{ address: string }>(
  'geocode',
  {
    concurrency: 10,
    retry: { baseMs: 200, maxMs: 2_000 },
    // Only the API's own trouble counts against the breaker; a 4xx is this job's fault.
    breaker: { countsAsFailure: (err) => !(err instanceof PermanentError) },
  },
  async (job, ctx) => {
    // While the breaker is open this rejects with BreakerOpenError: the job goes back
    // for about the remaining cooldown, not charged an attempt, and the API is not called.
    await ctx.breaker('geo-api');
    const res = await fetch(`${apiUrl}?q=${encodeURIComponent(job.payload.address)}`, { signal: ctx.signal });
    if (res.status >= 500) throw new HttpError(res.status);
    if (!res.ok) throw new PermanentError(`geo API rejected ${job.payload.address}: ${res.status}`);
    return res.json();
  },
);

// 40 jobs a second for 20 seconds; the API is down from 5 s to 13 s.
let enqueued = 0;
const feeder = setInterval(() => {
  void rota.enqueueMany(
    'geocode',
    Array.from({ length: 4 }, () => ({ payload: { address: `Street ${enqueued++}` }, maxAttempts: 100 })),
  );
}, 100);
let lastCalls = 0;
const report = setInterval(() => {
  console.log(`${at()}  API ${apiDown ? 'DOWN' : 'up  '}  calls in the last second: ${apiCalls - lastCalls}`);
  lastCalls = apiCalls;
}, 1_000);
setTimeout(() => {
  apiDown = true;
  console.log(`${at()}  --- the API goes down ---`);
}, 5_000);
setTimeout(() => {
  apiDown = false;
  console.log(`${at()}  --- the API is back ---`);
}, 13_000);

await new Promise((resolve) => setTimeout(resolve, 20_000));
clearInterval(feeder);
clearInterval(report);
console.log('\nhistory (newest first):');
for (const h of await rota.breakers.history({ dependency: 'geo-api' })) {
  console.log(
    `  ${h.at.toISOString().slice(11, 23)}  ${h.from} -> ${h.to}  ${h.reason}${h.cooldownMs ? ` (cooldown ${h.cooldownMs} ms)` : ''}`,
  );
}
await rota.close();
api.close();
await embedded?.destroy();

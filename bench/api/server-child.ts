/**
 * The management server for bench/api.ts, in its own process (its own event loop and
 * pool): prints `ready <url>` and serves until killed.
 */
import { Rota } from '../../src/index.js';
import { buildServer } from '../../src/server/app.js';

const rota = new Rota({ connectionString: process.env.BENCH_DB_URL as string, poolSize: Number(process.env.BENCH_POOL ?? 4) });
const app = await buildServer({ rota, webRoot: null });
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.stdout.write(`ready http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}\n`);

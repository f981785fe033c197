/**
 * A worker burning down no-op jobs of queue 'burn' at full speed for bench/api.ts:
 * prints `ready`, then `done <completed> <epoch ms>` every 250 ms until killed.
 */
import { Rota } from '../../src/index.js';

const rota = new Rota({ connectionString: process.env.BENCH_DB_URL as string });
let done = 0;
rota.on('job:completed', () => done++);
rota.work('burn', { concurrency: 20 }, async () => null);
process.stdout.write('ready\n');
setInterval(() => process.stdout.write(`done ${done} ${Date.now()}\n`), 250);

// The child of lat-stages.ts: one library (LAT_LIB = rota | graphile), the core benchmark's
// latency case (an idle worker at concurrency 20, JOBS single enqueues at RATE/s, enqueuer
// and worker in this one process, one clock), with every stage of each job timed by
// patching pg (both copies: the repository's and bench/'s) and, for rota, three of its
// own methods. pg is patched below the libraries, so both are timed at the same points:
//   - a statement's send (Client#query) and its reply: the first bytes on the socket after
//     the send ('data', prepended, so before pg parses them) and the callback (parsed);
//   - a NOTIFY: the socket bytes that carried it and pg's 'notification' event;
//   - which job a statement carries: the enqueue's parameters hold the payload ({i, t}),
//     the claim's reply rows hold it too.
// GC pauses (PerformanceObserver) and every statement on every connection are kept, to
// say what the slowest jobs overlapped. Prints one RESULT line (bench/proc/protocol.ts).
//   LAT_LIB=rota BENCH_DB_URL=… LAT_MODE=setup|latency npx tsx bench/experiments/lat-stages-child.ts
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RESULT_PREFIX } from '../proc/protocol.js';

const LIB = process.env.LAT_LIB ?? 'rota';
const MODE = process.env.LAT_MODE ?? 'latency';
const URL_ = process.env.BENCH_DB_URL as string;
const JOBS = Number(process.env.JOBS ?? 500);
const RATE = Number(process.env.RATE ?? 100);
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ROTA_DIR = resolve(process.env.ROTA_DIR ?? ROOT);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One statement (send → reply) or one notification on a connection. */
export interface Ev {
  conn: number;
  kind: 'stmt' | 'notify';
  what: string;
  /** Sent (stmt) or pg's 'notification' event (notify). */
  t: number;
  /** First socket bytes after the send (stmt), or the bytes that carried it (notify). */
  data?: number;
  /** Reply parsed: the callback ran (stmt). */
  done?: number;
  /** The job whose enqueue this is. */
  enq?: number;
  /** Jobs in the reply's rows. */
  jobs?: number[];
}

interface ConnState {
  id: number;
  first: number | undefined;
  last: number;
}
type Cb = (err: unknown, res: unknown) => void;
interface PatchedClient {
  __lat?: ConnState;
  connection: { stream: NodeJS.EventEmitter };
}

const events: Ev[] = [];
/** Connections opened (Client#connect called), when. */
const connects: Array<{ conn: number; t: number }> = [];
let connIds = 0;
const payloadRe = /"i":(\d+),"t":[\d.e+-]+/;

function jobsOf(res: unknown): number[] {
  const out: number[] = [];
  for (const r of Array.isArray(res) ? res : [res]) {
    const rows = (r as { rows?: unknown[] } | undefined)?.rows ?? [];
    for (const row of rows) {
      let p = (row as { payload?: unknown }).payload;
      if (typeof p === 'string') p = p.includes('"i"') ? JSON.parse(p) : undefined;
      const i = (p as { i?: unknown } | undefined)?.i;
      if (typeof i === 'number') out.push(i);
    }
  }
  return out;
}

function enqOf(values: unknown): number | undefined {
  if (!Array.isArray(values)) return undefined;
  for (const v of values) {
    const s = typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : '';
    const m = payloadRe.exec(s);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function patchPg(dir: string): void {
  const pg = createRequire(join(dir, 'package.json'))('pg') as { Client: { prototype: Record<string, unknown> } };
  const proto = pg.Client.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  if ((proto as unknown as { __latPatched?: boolean }).__latPatched) return;
  (proto as unknown as { __latPatched?: boolean }).__latPatched = true;
  const connect = proto.connect as (...a: unknown[]) => unknown;
  proto.connect = function (this: PatchedClient, ...a: unknown[]) {
    const st: ConnState = { id: ++connIds, first: undefined, last: 0 };
    this.__lat = st;
    connects.push({ conn: st.id, t: performance.now() });
    this.connection.stream.prependListener('data', () => {
      const t = performance.now();
      st.last = t;
      if (st.first === undefined) st.first = t;
    });
    return connect.apply(this, a);
  };
  const emit = proto.emit as (...a: unknown[]) => boolean;
  proto.emit = function (this: PatchedClient, name: unknown, ...a: unknown[]) {
    if (name === 'notification') {
      const msg = a[0] as { payload?: string; channel?: string };
      events.push({ conn: this.__lat?.id ?? 0, kind: 'notify', t: performance.now(), data: this.__lat?.last, what: String(msg.channel) });
    }
    return emit.call(this, name, ...a);
  };
  const query = proto.query as (...a: unknown[]) => unknown;
  proto.query = function (this: PatchedClient, config: unknown, values?: unknown, cb?: unknown) {
    const cfg = config as { submit?: unknown; name?: string; text?: string; values?: unknown } | string;
    if (typeof cfg === 'object' && typeof cfg.submit === 'function') return query.call(this, config, values, cb);
    const st = this.__lat;
    const text = typeof cfg === 'string' ? cfg : (cfg.name ?? cfg.text ?? '');
    const ev: Ev = {
      conn: st?.id ?? 0,
      kind: 'stmt',
      what: text.replace(/\s+/g, ' ').slice(0, 60),
      t: performance.now(),
      enq: enqOf(Array.isArray(values) ? values : typeof cfg === 'object' ? cfg.values : undefined),
    };
    if (st) st.first = undefined;
    events.push(ev);
    const finish = (res: unknown) => {
      ev.done = performance.now();
      ev.data = st?.first;
      const jobs = jobsOf(res);
      if (jobs.length > 0) ev.jobs = jobs;
    };
    if (typeof values === 'function') {
      const f = values as Cb;
      return query.call(this, config, (e: unknown, r: unknown) => {
        finish(r);
        f(e, r);
      });
    }
    if (typeof cb === 'function') {
      const f = cb as Cb;
      return query.call(this, config, values, (e: unknown, r: unknown) => {
        finish(r);
        f(e, r);
      });
    }
    const p = query.call(this, config, values) as Promise<unknown>;
    p.then(finish, () => finish(undefined));
    return p;
  };
}

patchPg(ROOT);
patchPg(ROTA_DIR);
patchPg(join(ROOT, 'bench'));

const gcs: Array<{ start: number; ms: number; kind: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({ start: e.startTime, ms: e.duration, kind: (e as { detail?: { kind?: number } }).detail?.kind ?? 0 });
}).observe({ entryTypes: ['gc'] });

/** rota's own points: the listener's wake(), the claimer's call, the executor's delivery. */
const marks: Record<string, number[]> = { wake: [], claimCall: [], deliver: [] };
function mark<T extends object>(proto: T, method: string, key: string): void {
  const p = proto as unknown as Record<string, (...a: unknown[]) => unknown>;
  const orig = p[method] as (...a: unknown[]) => unknown;
  p[method] = function (this: unknown, ...a: unknown[]) {
    marks[key]?.push(performance.now());
    return orig.apply(this, a);
  };
}

interface Lib {
  migrate(): Promise<void>;
  work(onStart: (p: { i: number; t: number }) => void): Promise<void>;
  enqueue(p: { i: number; t: number }): Promise<void>;
  close(): Promise<void>;
}

async function rotaLib(): Promise<Lib> {
  const src = (f: string) => pathToFileURL(join(ROTA_DIR, 'src', f)).href;
  const { Rota } = (await import(src('index.ts'))) as typeof import('../../src/index.js');
  const { ClaimLoop } = (await import(src('worker/claim-loop.ts'))) as typeof import('../../src/worker/claim-loop.js');
  const { FairClaimer } = (await import(src('fairness/claimer.ts'))) as typeof import('../../src/fairness/claimer.js');
  const { QueueExecutor } = (await import(src('worker/executor.ts'))) as typeof import('../../src/worker/executor.js');
  mark(ClaimLoop.prototype, 'wake', 'wake');
  mark(FairClaimer.prototype, 'claim', 'claimCall');
  mark(QueueExecutor.prototype, 'deliver', 'deliver');
  const producer = new Rota({ connectionString: URL_ });
  // LAT_BATCH_MS: the worker's batchIntervalMs (how long a finished job's status write waits for others).
  const batch = process.env.LAT_BATCH_MS;
  const worker = new Rota({ connectionString: URL_, ...(batch ? { batchIntervalMs: Number(batch) } : {}) });
  return {
    migrate: async () => {
      await producer.migrate();
    },
    async work(onStart) {
      worker.work<{ i: number; t: number }>('q', { concurrency: 20 }, async (job) => onStart(job.payload));
    },
    enqueue: async (p) => {
      await producer.enqueue('q', p);
    },
    async close() {
      await worker.close();
      await producer.close();
    },
  };
}

async function graphileLib(): Promise<Lib> {
  const gw = (await import('graphile-worker')) as typeof import('graphile-worker');
  const logger = new gw.Logger(() => () => {});
  let utils: import('graphile-worker').WorkerUtils | null = null;
  let runner: import('graphile-worker').Runner | null = null;
  const batched = process.env.GW_VARIANT !== 'defaults';
  return {
    migrate: () => gw.runMigrations({ connectionString: URL_, logger }),
    async work(onStart) {
      utils = await gw.makeWorkerUtils({ connectionString: URL_, logger });
      runner = await gw.run({
        logger,
        noHandleSignals: true,
        taskList: { q: async (payload) => onStart(payload as { i: number; t: number }) },
        preset: {
          worker: {
            connectionString: URL_,
            concurrentJobs: 20,
            ...(batched ? { maxPoolSize: 21, localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } : {}),
          },
        },
      });
    },
    enqueue: async (p) => {
      await utils?.addJob('q', p);
    },
    async close() {
      await runner?.stop();
      await utils?.release();
    },
  };
}

const lib = LIB === 'rota' ? await rotaLib() : await graphileLib();
if (MODE === 'setup') {
  await lib.migrate();
  await lib.close();
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ mode: 'setup' })}\n`);
  process.exit(0);
}

const handlerAt: number[] = [];
const returnedAt: number[] = [];
let done = 0;
await lib.work((p) => {
  handlerAt[p.i] = performance.now();
  done++;
});
await sleep(1_000);
events.length = 0;
gcs.length = 0;
for (const k of Object.keys(marks)) (marks[k] as number[]).length = 0;
/** Burns 3 ms under its own name: where the measured span starts and ends in a --cpu-prof profile (lat-profile.ts). */
function latProfileMark(): void {
  const t = performance.now();
  while (performance.now() - t < 3) {}
}
latProfileMark();
const start = performance.now();
const t0: number[] = [];
for (let i = 0; i < JOBS; i++) {
  const wait = start + (i * 1000) / RATE - performance.now();
  if (wait > 0) await sleep(wait);
  const t = performance.now();
  t0[i] = t;
  await lib.enqueue({ i, t });
  returnedAt[i] = performance.now();
}
while (done < JOBS) await sleep(5);
await sleep(50);
const end = performance.now();
latProfileMark();
await lib.close();

/** Per job: the time of each point (NaN where not seen). */
const first = (arr: number[], from: number) => arr.find((x) => x >= from) ?? Number.NaN;
// Job i's NOTIFY is the i-th on the jobs channel (the busiest one): enqueues go one at a
// time and notifications arrive in commit order. Taking the first one after the send
// instead gave a job the previous job's NOTIFY whenever the listener's backend forwarded
// that one late (after the producer had its reply and sent the next enqueue).
const byChannel = new Map<string, Ev[]>();
for (const e of events) if (e.kind === 'notify') byChannel.set(e.what, [...(byChannel.get(e.what) ?? []), e]);
const jobNotifies = [...byChannel.values()].sort((a, b) => b.length - a.length)[0] ?? [];
const ordinal = jobNotifies.length === JOBS;
const jobs = t0.map((t, i) => {
  const enq = events.find((e) => e.kind === 'stmt' && e.enq === i);
  const notify = ordinal ? jobNotifies[i] : events.find((e) => e.kind === 'notify' && e.t >= (enq?.t ?? t));
  // The statement whose reply brought the job (not the enqueue: graphile's add_job returns the row too).
  const claim = events.find((e) => e.kind === 'stmt' && e.enq === undefined && e.jobs?.includes(i));
  const wake = first(marks.wake as number[], notify?.t ?? Number.POSITIVE_INFINITY);
  return {
    i,
    t0: t,
    enqSent: enq?.t ?? Number.NaN,
    enqData: enq?.data ?? Number.NaN,
    enqDone: enq?.done ?? Number.NaN,
    enqReturned: returnedAt[i] as number,
    notifyData: notify?.data ?? Number.NaN,
    notify: notify?.t ?? Number.NaN,
    wake,
    claimCall: first(marks.claimCall as number[], wake),
    claimSent: claim?.t ?? Number.NaN,
    claimConn: claim?.conn ?? 0,
    claimWhat: claim?.what ?? '',
    claimJobs: claim?.jobs?.length ?? 0,
    claimData: claim?.data ?? Number.NaN,
    claimDone: claim?.done ?? Number.NaN,
    deliver: first(marks.deliver as number[], claim?.done ?? Number.POSITIVE_INFINITY),
    handler: handlerAt[i] ?? Number.NaN,
  };
});
const result = {
  mode: 'latency',
  lib: LIB,
  node: process.version,
  jobs,
  /** Whether NOTIFYs were matched to jobs by order (else: the first after the enqueue's send). */
  ordinal,
  // Every statement and GC of the measured span, relative times kept as they are.
  events: events.filter((e) => e.t >= start && e.t <= end),
  connects,
  start,
  gcs,
};
// Too big for one stdout line: written to LAT_OUT, the RESULT line says where.
writeFileSync(process.env.LAT_OUT as string, JSON.stringify(result));
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ mode: 'latency', file: process.env.LAT_OUT })}\n`);
process.exit(0);

/**
 * Alert evaluation on real PostgreSQL: a worker process killed while holding jobs,
 * webhook deliveries (signed, retried while the receiver answers 500), the evaluator
 * lease, and manual resolution.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type AlertEvent, PermanentError, signWebhook } from '../../src/index.js';
import { waitFor } from '../support/db.js';
import { closeRota, makeRota, migratedDatabase } from '../support/rota.js';
import { spawnWorker } from '../support/spawn.js';

const db = await migratedDatabase();

function events(rota: ReturnType<typeof makeRota>): AlertEvent[] {
  const seen: AlertEvent[] = [];
  rota.on('alert', (e) => seen.push(e));
  return seen;
}

describe('alerts', () => {
  it('a worker killed while holding jobs raises "worker lost"; a live one does not', async () => {
    const rota = makeRota(db.url, { monitor: { evaluateIntervalMs: 100, resolveAfter: 2 } });
    await rota.alerts.configure('worker_lost', { thresholds: { staleMs: 2_500 } });
    const seen = events(rota);
    // Heartbeats every second (lease / 3); handlers that outlive the test.
    const child = spawnWorker({
      DATABASE_URL: db.url,
      QUEUE: 'held',
      CONCURRENCY: '3',
      JOB_MS: '600000',
      ROTA_OPTIONS: JSON.stringify({ workerId: 'doomed-worker', leaseMs: 3_000 }),
    });
    await child.ready;
    await rota.enqueueMany('held', [{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
    await waitFor(
      async () => {
        const r = await db.sql.query(`SELECT 1 FROM rota.jobs WHERE state = 'running' AND locked_by = 'doomed-worker'`);
        return r.rowCount === 3;
      },
      20_000,
      'the child to hold three running jobs',
    );
    const monitor = rota.monitor.start({ webhooks: false });
    // Alive and heartbeating for several evaluations: nothing fires.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen.filter((e) => e.alert.type === 'worker_lost')).toEqual([]);
    child.child.kill('SIGKILL');
    await child.exited;
    const fired = await waitFor(() => seen.find((e) => e.action === 'fired' && e.alert.type === 'worker_lost'), 20_000, 'worker lost');
    expect(fired.alert).toMatchObject({ subject: 'doomed-worker', severity: 'critical', details: { jobs: 3, queues: ['held'] } });
    const active = await rota.alerts.list({ state: 'active', type: 'worker_lost' });
    expect(active.items.map((a) => a.subject)).toEqual(['doomed-worker']);
    await monitor.stop();
    // Resolving by hand: the alert moves to history.
    expect(await rota.alerts.resolveType('worker_lost', 'test')).toBe(1);
    const history = await rota.alerts.list({ state: 'resolved', type: 'worker_lost' });
    expect(history.items[0]).toMatchObject({ subject: 'doomed-worker', resolvedBy: 'test' });
    await db.sql.query(`DELETE FROM rota.jobs WHERE queue = 'held'`);
    await closeRota(rota);
  });

  it('webhooks get signed deliveries, retried as rota jobs while the receiver answers 500', async () => {
    const received: Array<{ status: number; body: string; headers: IncomingMessage['headers'] }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        // The first two deliveries fail.
        const status = received.length < 2 ? 500 : 204;
        received.push({ status, body, headers: req.headers });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const secret = 'a-secret-of-some-length';

    const rota = makeRota(db.url, {
      leaseMs: 600,
      monitor: { evaluateIntervalMs: 100, resolveAfter: 2, webhookRetry: { baseMs: 50, maxMs: 200 } },
    });
    await expect(rota.alerts.addWebhook({ url: 'ftp://x', secret })).rejects.toMatchObject({ field: 'url' });
    await expect(rota.alerts.addWebhook({ url, secret: 'short' })).rejects.toMatchObject({ field: 'secret' });
    expect(await rota.alerts.webhooks()).toEqual([]);
    await rota.alerts.addWebhook({ url, secret, minSeverity: 'warning' });
    rota.work('boom', { concurrency: 1 }, async () => {
      throw new PermanentError('downstream rejected it');
    });
    const monitor = rota.monitor.start();
    await rota.enqueue('boom', { n: 1 });
    await waitFor(() => received.some((r) => r.status === 204), 30_000, 'a delivery to succeed');
    expect(received.map((r) => r.status)).toEqual([500, 500, 204]);
    for (const r of received) {
      const ts = r.headers['x-rota-timestamp'] as string;
      expect(r.headers['x-rota-signature']).toBe(signWebhook(secret, ts, r.body));
      expect(r.headers['content-type']).toBe('application/json');
    }
    // One delivery job, attempted three times.
    expect(new Set(received.map((r) => r.headers['x-rota-delivery'])).size).toBe(1);
    const event = JSON.parse(received[2]?.body ?? '{}') as AlertEvent;
    expect(event).toMatchObject({ action: 'fired', alert: { type: 'dead_jobs', subject: 'boom', severity: 'warning' } });
    await monitor.stop();
    await closeRota(rota);
  });

  it('one process evaluates at a time; another takes over when it stops', async () => {
    const a = makeRota(db.url, { monitor: { evaluateIntervalMs: 100, evaluatorLeaseMs: 1_000 } });
    const b = makeRota(db.url, { monitor: { evaluateIntervalMs: 100, evaluatorLeaseMs: 1_000 } });
    await a.monitor.evaluate();
    await b.monitor.evaluate();
    expect([a.monitor.evaluating, b.monitor.evaluating]).toEqual([true, false]);
    await a.monitor.evaluate();
    await b.monitor.evaluate();
    expect([a.monitor.evaluating, b.monitor.evaluating]).toEqual([true, false]);
    // a stops renewing (a crash): b takes over once the lease has expired.
    await new Promise((r) => setTimeout(r, 1_100));
    await b.monitor.evaluate();
    expect(b.monitor.evaluating).toBe(true);
    await a.monitor.evaluate();
    expect(a.monitor.evaluating).toBe(false);
    await closeRota(a);
    await closeRota(b);
  });

  it('an open breaker and a schedule nobody evaluates raise alerts; they resolve after consecutive clear evaluations', async () => {
    const rota = makeRota(db.url, { monitor: { resolveAfter: 2 } });
    await rota.alerts.configure('scheduler', { thresholds: { slackMs: 0 } });
    const seen = events(rota);
    await rota.breakers.open({ dependency: 'geocoder' }, { reason: 'test' });
    // Due every second with a 100 ms grace, and no scheduler running anywhere.
    await rota.schedule('nightly', '* * * * * *', 'reports', {}, { graceMs: 100 });
    await waitFor(
      async () => {
        await rota.monitor.evaluate();
        return seen.some((e) => e.alert.type === 'scheduler_not_running');
      },
      10_000,
      'the scheduler alert',
    );
    const fired = seen.filter((e) => e.action === 'fired').map((e) => [e.alert.type, e.alert.subject, e.alert.severity]);
    expect(fired).toContainEqual(['breaker_open', 'dependency:geocoder', 'warning']);
    expect(fired).toContainEqual(['scheduler_not_running', 'scheduler', 'critical']);
    // Repeated sightings update the one active alert (dedup) and count them.
    await rota.monitor.evaluate();
    const open = (await rota.alerts.list({ state: 'active', type: 'breaker_open' })).items;
    expect(open).toHaveLength(1);
    expect(open[0]?.count).toBeGreaterThanOrEqual(2);

    await rota.breakers.reset({ dependency: 'geocoder' });
    await rota.unschedule('nightly');
    await rota.monitor.evaluate();
    expect(seen.filter((e) => e.action === 'resolved')).toEqual([]);
    await rota.monitor.evaluate();
    expect(
      seen
        .filter((e) => e.action === 'resolved')
        .map((e) => e.alert.type)
        .sort(),
    ).toEqual(['breaker_open', 'scheduler_not_running']);
    await closeRota(rota);
  });

  it('pool waiting fires in memory while the pool is exhausted (the evaluator does not wait for it), then resolves', async () => {
    const rota = makeRota(db.url, { poolSize: 1, poolWaitThresholdMs: 50, monitor: { resolveAfter: 2, healthTimeoutMs: 200 } });
    await rota.alerts.configure('pool_waiting', { thresholds: { waitMs: 150 } });
    const seen = events(rota);
    await rota.monitor.evaluate(); // reads the rule settings
    const held = await rota.pool.connect();
    const queued = rota.pool.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 300));
    await rota.monitor.evaluate();
    const fired = seen.find((e) => e.alert.type === 'pool_waiting');
    expect(fired).toMatchObject({ action: 'fired', alert: { id: null, subject: rota.workerId } });
    expect(fired?.alert.details).toMatchObject({ waiting: 1 });
    held.release();
    await queued;
    // The pool watch samples every 10 ms: let it see that nobody waits any more.
    await waitFor(() => rota.stats().resilience.pool.waitingForMs === 0, 5_000, 'the pool watch to see the wait end');
    await rota.monitor.evaluate();
    await rota.monitor.evaluate();
    const resolved = seen.find((e) => e.action === 'resolved' && e.alert.type === 'pool_waiting');
    expect(resolved?.alert).toMatchObject({ state: 'resolved', resolvedBy: 'auto' });
    expect((await rota.alerts.list({ type: 'pool_waiting' })).items.map((a) => a.state)).toEqual(['resolved']);
    await closeRota(rota);
  });

  it('a paused queue or paused schedulers are not alerted on; the paused gauge says so', async () => {
    const rota = makeRota(db.url, { monitor: { resolveAfter: 1 } });
    await rota.alerts.configure('oldest_ready', { enabled: true, thresholds: { ageMs: 1_000 } });
    await rota.alerts.configure('scheduler', { thresholds: { slackMs: 0 } });
    await rota.enqueue('idle-queue', {}, { runAt: new Date(Date.now() - 60_000) });
    await rota.schedule('every-second', '* * * * * *', 'reports', {}, { graceMs: 100 });
    await new Promise((r) => setTimeout(r, 1_500));
    await rota.monitor.evaluate();
    const types = async () =>
      (await rota.alerts.list({ state: 'active' })).items
        .filter((a) => a.subject === 'idle-queue' || a.subject === 'scheduler')
        .map((a) => `${a.type}:${a.subject}`)
        .sort();
    expect(await types()).toEqual(['oldest_ready:idle-queue', 'scheduler_not_running:scheduler']);

    await rota.admin.queues.setPaused('idle-queue', true);
    await rota.admin.scheduling.setPaused(true, 'test');
    await rota.monitor.evaluate();
    expect(await types()).toEqual([]);
    expect(await rota.monitor.metrics()).toContain('rota_queue_paused{queue="idle-queue"} 1');
    await rota.admin.scheduling.setPaused(false, 'test');
    await rota.unschedule('every-second');
    await closeRota(rota);
  });
});

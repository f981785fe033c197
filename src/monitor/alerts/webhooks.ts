import { createHmac } from 'node:crypto';
import { PermanentError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { EnqueueOptions, Handler } from '../../types.js';
import type { AlertStore } from './store.js';
import { type AlertEvent, type AlertSeverity, SEVERITIES } from './types.js';

/** The internal queue webhook deliveries run on: rota's own retries, backoff and breakers. */
export const WEBHOOK_QUEUE = 'rota.webhooks';

export interface WebhookPayload {
  webhookId: string;
  event: AlertEvent;
}

/**
 * The signature a receiver checks: `x-rota-signature: sha256=<hex>` where hex is
 * HMAC-SHA256(secret, `${x-rota-timestamp}.${raw body}`). Receivers should also reject
 * timestamps older than a few minutes (replays).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Delivers one alert event to one webhook. A non-2xx answer (or no answer within
 * `timeoutMs`) fails the attempt, so the job is retried with backoff; 4xx other than
 * 408/429 is permanent (the receiver rejects the request itself). Every endpoint host
 * has its own circuit breaker (`webhook:<host>`), so a dead receiver is left alone
 * instead of being hammered by every alert.
 */
export function webhookHandler(store: AlertStore, timeoutMs: number): Handler<WebhookPayload> {
  return async (job, ctx) => {
    const hook = await store.webhookSecret(job.payload.webhookId);
    if (!hook) return { skipped: 'webhook removed or disabled' };
    await ctx.breaker(`webhook:${new URL(hook.url).host}`);
    const body = JSON.stringify(job.payload.event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'rota-alerts',
        'x-rota-timestamp': timestamp,
        'x-rota-signature': signWebhook(hook.secret, timestamp, body),
        'x-rota-delivery': job.id,
      },
      body,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
    });
    await res.body?.cancel();
    if (res.ok) return { status: res.status };
    const msg = `webhook ${hook.url} answered ${res.status}`;
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new PermanentError(msg);
    throw new Error(msg);
  };
}

const rank = (s: AlertSeverity) => SEVERITIES.indexOf(s);

/** Enqueues one delivery job per matching webhook; a failure is logged, never thrown at the evaluator. */
export class WebhookNotifier {
  private cache: { at: number; hooks: Awaited<ReturnType<AlertStore['webhooks']>> } | null = null;

  constructor(
    private readonly store: AlertStore,
    private readonly enqueue: (queue: string, payload: WebhookPayload, opts: EnqueueOptions) => Promise<unknown>,
    private readonly log: Logger,
    private readonly maxAttempts: number,
  ) {}

  async notify(event: AlertEvent): Promise<void> {
    try {
      if (!this.cache || Date.now() - this.cache.at > 5_000) this.cache = { at: Date.now(), hooks: await this.store.webhooks() };
      for (const h of this.cache.hooks) {
        if (!h.enabled || rank(event.alert.severity) < rank(h.minSeverity)) continue;
        await this.enqueue(WEBHOOK_QUEUE, { webhookId: h.id, event }, { maxAttempts: this.maxAttempts });
      }
    } catch (err) {
      this.log.warn({ err: String(err), alert: event.alert.type }, 'alert webhook delivery could not be queued');
    }
  }

  /** Webhooks changed: read them again on the next event. */
  invalidate(): void {
    this.cache = null;
  }
}

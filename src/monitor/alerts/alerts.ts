import { validateName } from '../../client/validate.js';
import { ValidationError } from '../../errors.js';
import { RULES, ruleDef, validateThresholds } from './rules.js';
import type { AlertStore } from './store.js';
import { type Alert, type AlertQuery, type AlertRuleInfo, type AlertSeverity, SEVERITIES, type Webhook } from './types.js';

const ID = /^[0-9]{1,19}$/;

function validateId(field: string, id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) throw new ValidationError(field, `must be a numeric id (got ${JSON.stringify(id)})`);
  return id;
}

/**
 * `rota.alerts`: alerts (active and history), rule settings and webhooks, shared by
 * every process through the database. The CLI (`rota alerts`) and REST routes call
 * these methods.
 */
export class Alerts {
  constructor(
    private readonly store: AlertStore,
    private readonly onWebhooksChanged: () => void,
  ) {}

  /** Newest first; `{ state: 'active' }` for what is open now, `'resolved'` for history. */
  list(q: AlertQuery = {}): Promise<{ items: Alert[]; nextCursor: string | null }> {
    if (q.type !== undefined) validateName('type', q.type);
    return this.store.list(q);
  }

  get(id: string): Promise<Alert | null> {
    return this.store.get(validateId('id', id));
  }

  /** Resolves one active alert by hand. Null when there is no active alert with that id. */
  async resolve(id: string, by = 'operator'): Promise<Alert | null> {
    const [a] = await this.store.resolveWhere({ id: validateId('id', id) }, validateName('by', by));
    return a ?? null;
  }

  /** Resolves every active alert of a type; returns how many. */
  async resolveType(type: string, by = 'operator'): Promise<number> {
    return (await this.store.resolveWhere({ type: validateName('type', type) }, validateName('by', by))).length;
  }

  /** Deletes resolved alerts (all, or those resolved before `before`). */
  clear(before?: Date): Promise<number> {
    if (before !== undefined && !(before instanceof Date && Number.isFinite(before.getTime()))) {
      throw new ValidationError('before', 'must be a valid Date');
    }
    return this.store.clearResolved(before);
  }

  async rules(): Promise<AlertRuleInfo[]> {
    const settings = await this.store.ruleSettings();
    return RULES.map((def) => {
      const s = settings.get(def.name);
      return {
        rule: def.name,
        description: def.description,
        scope: def.scope,
        enabled: s?.enabled ?? true,
        defaults: { ...def.defaults },
        thresholds: { ...def.defaults, ...s?.thresholds },
      };
    });
  }

  /** Enables / disables a rule and overrides some of its thresholds (others keep their values). */
  async configure(rule: string, change: { enabled?: boolean; thresholds?: Record<string, number> }): Promise<AlertRuleInfo> {
    const def = ruleDef(rule);
    if (change === null || typeof change !== 'object') throw new ValidationError('change', 'must be an object');
    if (change.enabled !== undefined && typeof change.enabled !== 'boolean') throw new ValidationError('enabled', 'must be a boolean');
    const thresholds = validateThresholds(def, change.thresholds ?? {});
    await this.store.configureRule(def.name, change.enabled, thresholds);
    return (await this.rules()).find((r) => r.rule === def.name) as AlertRuleInfo;
  }

  /** Back to the rule's defaults (enabled, default thresholds). */
  async reset(rule: string): Promise<AlertRuleInfo> {
    const def = ruleDef(rule);
    await this.store.resetRule(def.name);
    return (await this.rules()).find((r) => r.rule === def.name) as AlertRuleInfo;
  }

  /** Registers a webhook: alert events at or above `minSeverity` are POSTed to `url`, signed with `secret`. */
  async addWebhook(opts: { url: string; secret: string; minSeverity?: AlertSeverity }): Promise<Webhook> {
    let url: URL;
    try {
      url = new URL(opts?.url);
    } catch {
      throw new ValidationError('url', `must be an absolute http(s) URL (got ${JSON.stringify(opts?.url)})`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('url', 'must use http or https');
    if (typeof opts.secret !== 'string' || opts.secret.length < 16)
      throw new ValidationError('secret', 'must be a string of at least 16 characters');
    const min = opts.minSeverity ?? 'warning';
    if (!SEVERITIES.includes(min)) throw new ValidationError('minSeverity', `must be one of ${SEVERITIES.join(', ')}`);
    const hook = await this.store.addWebhook(url.toString(), opts.secret, min);
    this.onWebhooksChanged();
    return hook;
  }

  webhooks(): Promise<Webhook[]> {
    return this.store.webhooks();
  }

  async removeWebhook(id: string): Promise<boolean> {
    const removed = await this.store.removeWebhook(validateId('id', id));
    this.onWebhooksChanged();
    return removed;
  }
}

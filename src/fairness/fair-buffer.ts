/**
 * An executor's local buffer of claimed jobs, in the order they should start: strict
 * priority tiers, then round robin across tenants, FIFO inside a tenant.
 *
 * The claim hands out jobs fairly, but a process buffers up to a fraction of a second
 * of work; without this, jobs claimed for a tenant that just arrived would wait behind
 * everything buffered earlier for another tenant (and an urgent job behind normal
 * ones). A tenant, or the whole queue, can be held until a time (ctx.rateLimit): its
 * buffered jobs stay claimed and wait, other tenants' jobs go ahead.
 */

interface TenantQueue<T> {
  items: T[];
  head: number;
}

interface Tier<T> {
  queues: Map<string, TenantQueue<T>>;
  /** Tenants with jobs in this tier, in turn order. */
  ring: string[];
  cursor: number;
}

const TIERS = 4;

export class FairBuffer<T extends { tenant: string; priority: number }> {
  private readonly tiers: Tier<T>[] = Array.from({ length: TIERS }, () => ({ queues: new Map(), ring: [], cursor: 0 }));
  private count = 0;
  private readonly holds = new Map<string, number>();
  private queueHeldUntil = 0;

  get size(): number {
    return this.count;
  }

  push(row: T): void {
    const tier = this.tierOf(row);
    let q = tier.queues.get(row.tenant);
    if (!q) {
      q = { items: [], head: 0 };
      tier.queues.set(row.tenant, q);
      tier.ring.push(row.tenant);
    }
    q.items.push(row);
    this.count++;
  }

  /** Whether any job of `tenant` is buffered (in any tier). */
  hasTenant(tenant: string): boolean {
    return this.tiers.some((t) => t.queues.has(tenant));
  }

  /** The next job to start, or undefined when none may (empty, or everything held). */
  shift(now = Date.now()): T | undefined {
    if (this.count === 0 || this.queueHeldUntil > now) return undefined;
    for (const tier of this.tiers) {
      const { ring } = tier;
      for (let k = 0; k < ring.length; k++) {
        const idx = (tier.cursor + k) % ring.length;
        const tenant = ring[idx] as string;
        const until = this.holds.get(tenant);
        if (until !== undefined) {
          if (until > now) continue;
          this.holds.delete(tenant);
        }
        const q = tier.queues.get(tenant) as TenantQueue<T>;
        const row = q.items[q.head++] as T;
        if (q.head >= q.items.length) {
          tier.queues.delete(tenant);
          ring.splice(idx, 1);
          tier.cursor = ring.length === 0 ? 0 : idx % ring.length;
        } else {
          if (q.head > 64 && q.head * 2 > q.items.length) {
            q.items.splice(0, q.head);
            q.head = 0;
          }
          tier.cursor = (idx + 1) % ring.length;
        }
        this.count--;
        return row;
      }
    }
    return undefined;
  }

  /** Takes one job out (its lease was lost). */
  remove(row: T): boolean {
    const tier = this.tierOf(row);
    const q = tier.queues.get(row.tenant);
    if (!q) return false;
    const i = q.items.indexOf(row, q.head);
    if (i < 0) return false;
    q.items.splice(i, 1);
    this.count--;
    if (q.head >= q.items.length) {
      tier.queues.delete(row.tenant);
      const idx = tier.ring.indexOf(row.tenant);
      tier.ring.splice(idx, 1);
      if (tier.cursor > idx) tier.cursor--;
      if (tier.cursor >= tier.ring.length) tier.cursor = 0;
    }
    return true;
  }

  /** Takes every job out, in start order of tiers. */
  drain(): T[] {
    const out: T[] = [];
    for (const tier of this.tiers) {
      for (const tenant of tier.ring) {
        const q = tier.queues.get(tenant) as TenantQueue<T>;
        out.push(...q.items.slice(q.head));
      }
      tier.queues.clear();
      tier.ring.length = 0;
      tier.cursor = 0;
    }
    this.count = 0;
    return out;
  }

  /** Holds a tenant's buffered jobs (or, with tenant null, all of them) until `until` (epoch ms). */
  hold(tenant: string | null, until: number): void {
    if (tenant === null) this.queueHeldUntil = Math.max(this.queueHeldUntil, until);
    else this.holds.set(tenant, Math.max(this.holds.get(tenant) ?? 0, until));
  }

  /** The earliest future end of a hold (to restart the executor then), or null. */
  nextRelease(now = Date.now()): number | null {
    let next = this.queueHeldUntil > now ? this.queueHeldUntil : Number.POSITIVE_INFINITY;
    for (const [tenant, until] of this.holds) {
      if (until <= now) this.holds.delete(tenant);
      else next = Math.min(next, until);
    }
    return Number.isFinite(next) ? next : null;
  }

  private tierOf(row: T): Tier<T> {
    return this.tiers[Math.min(TIERS - 1, Math.max(0, row.priority))] as Tier<T>;
  }
}

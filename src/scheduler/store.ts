import { validateName } from '../client/validate.js';
import { ValidationError } from '../errors.js';
import { CronSchedule } from './cron.js';
import { defineSchedule, type ScheduleRow, toScheduleInfo } from './definition.js';
import type { SchedulerDeps } from './deps.js';
import type { ScheduleInfo, ScheduleOptions } from './types.js';

/** Workers whose heartbeat is older than this do not make a queue "known". */
const LIVE_WORKER_MS = 60_000;

/**
 * Schedule definitions: create/replace, enable/disable, remove, read. Every change is
 * one statement on the schedules row; evaluators read the row at every claim, so a
 * change is seen by every process at its next poll (within `pollMs`).
 */
export class ScheduleStore {
  constructor(private readonly deps: Pick<SchedulerDeps, 'pool' | 'schema' | 'sql' | 'maxPayloadBytes'>) {}

  private get table(): string {
    return `"${this.deps.schema}".schedules`;
  }

  async upsert<P>(name: string, cron: string, queue: string, payload: P, opts?: ScheduleOptions): Promise<ScheduleInfo<P>> {
    const def = defineSchedule(name, cron, queue, payload, opts, this.deps.maxPayloadBytes);
    const { pool, sql } = this.deps;
    if (def.requireKnownQueue) await this.checkKnownQueue(def.queue);
    const now = await this.databaseNow();
    // The cursor starts at the first tick after the database's clock, not this process's.
    const next = def.cron.next(now);
    if (next === null) throw new ValidationError('cron', `${JSON.stringify(cron)} has no upcoming tick`);
    const res = await pool.query<ScheduleRow>(sql.upsert, [
      def.name,
      def.cron.expression,
      def.cron.timeZone,
      def.queue,
      def.payload,
      def.tenant,
      def.priority,
      def.maxAttempts,
      def.timeoutMs,
      def.enabled,
      def.missedPolicy,
      def.catchUpMax,
      def.graceMs,
      def.jitterMs,
      next,
    ]);
    return toScheduleInfo<P>(res.rows[0] as ScheduleRow);
  }

  /** Deletes the schedule and its history. False when there was none. */
  async remove(name: string): Promise<boolean> {
    validateName('name', name);
    const res = await this.deps.pool.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
    return (res.rowCount ?? 0) > 0;
  }

  /**
   * Disabling takes the schedule out of the due index at once. Enabling restarts the
   * cursor at the first tick after now: ticks while disabled are not missed, they were
   * never due. False when there is no such schedule.
   */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    validateName('name', name);
    if (!enabled) {
      const res = await this.deps.pool.query(`UPDATE ${this.table} SET enabled = false, updated_at = now() WHERE name = $1`, [name]);
      return (res.rowCount ?? 0) > 0;
    }
    const row = await this.get(name);
    if (!row) return false;
    if (row.enabled) return true;
    const next = CronSchedule.parse(row.cron, row.time_zone).next(await this.databaseNow());
    await this.deps.pool.query(
      `UPDATE ${this.table} SET enabled = true, next_tick_at = $2, updated_at = now() WHERE name = $1 AND NOT enabled`,
      [name, next],
    );
    return true;
  }

  async get(name: string): Promise<ScheduleRow | null> {
    const res = await this.deps.pool.query<ScheduleRow>(`SELECT * FROM ${this.table} WHERE name = $1`, [name]);
    return res.rows[0] ?? null;
  }

  async list(): Promise<ScheduleInfo[]> {
    const res = await this.deps.pool.query<ScheduleRow>(`SELECT * FROM ${this.table} ORDER BY name`);
    return res.rows.map((r) => toScheduleInfo(r));
  }

  private async databaseNow(): Promise<Date> {
    const res = await this.deps.pool.query<{ now: Date }>('SELECT now() AS now');
    return (res.rows[0] as { now: Date }).now;
  }

  /**
   * There is no queue registry yet, so a queue is "known" when a live worker process
   * serves it. The workers table is one row per process: a scan is cheap.
   */
  private async checkKnownQueue(queue: string): Promise<void> {
    const res = await this.deps.pool.query(
      `SELECT 1 FROM "${this.deps.schema}".workers
        WHERE $1 = ANY (queues) AND heartbeat_at > now() - $2 * interval '1 millisecond' LIMIT 1`,
      [queue, LIVE_WORKER_MS],
    );
    if (res.rowCount === 0) {
      throw new ValidationError('queue', `unknown queue ${JSON.stringify(queue)}: no live worker serves it (requireKnownQueue)`);
    }
  }
}

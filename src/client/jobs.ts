import { ValidationError } from '../errors.js';
import { type JobError, type JobRecord, type JobState, PRIORITIES, type Queryable } from '../types.js';

interface JobRow {
  id: string;
  queue: string;
  tenant: string;
  priority: number;
  state: JobState;
  payload: unknown;
  result: unknown;
  errors: JobError[];
  attempt: number;
  max_attempts: number;
  timeout_ms: number | null;
  dedup_key: string | null;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  locked_by: string | null;
}

export function validateJobId(id: unknown): string {
  const s = typeof id === 'number' ? String(id) : id;
  if (typeof s !== 'string' || !/^[1-9]\d{0,18}$/.test(s))
    throw new ValidationError('id', `must be a positive integer id (got ${String(id)})`);
  return s;
}

/** Errors written by SQL carry PostgreSQL's timestamp format; report one format (JS's ISO) for all. */
function isoAt(e: JobError): JobError {
  const at = new Date(e.at);
  return Number.isNaN(at.getTime()) ? e : { ...e, at: at.toISOString() };
}

export async function getJob(db: Queryable, sql: string, id: string): Promise<JobRecord | null> {
  const res = await db.query<JobRow>(sql, [validateJobId(id)]);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: r.id,
    queue: r.queue,
    tenant: r.tenant,
    priority: PRIORITIES[r.priority] ?? 'normal',
    state: r.state,
    payload: r.payload,
    result: r.result,
    errors: r.errors.map(isoAt),
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    timeoutMs: r.timeout_ms,
    dedupKey: r.dedup_key,
    runAt: r.run_at,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    lockedBy: r.locked_by,
  };
}

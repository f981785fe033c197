import { loadQuery } from '../db/sql.js';

const NAMES = [
  'list_live',
  'list_done',
  'select_live',
  'select_done',
  'count_live',
  'count_done',
  'retry_jobs',
  'cancel_jobs',
  'delete_jobs',
  'job_detail',
  'queues',
  'tenants',
  'prune',
  'connections',
  'cycles',
  'breaker_history',
  'scheduler_state',
  'workers',
  'schedules',
  'breakers',
] as const;
export type AdminQuery = (typeof NAMES)[number];

/** The admin queries of sql/queries/admin/, with the shared job filter (live_where.sql / done_where.sql) spliced in at `{{where}}`. */
export function loadAdminQueries(schema: string): Record<AdminQuery, string> {
  // The fragments without their header comments, so they can sit inside one line.
  const fragment = (name: string) =>
    loadQuery(`admin/${name}`, schema)
      .split('\n')
      .filter((l) => !l.startsWith('--'))
      .join('\n');
  const live = fragment('live_where');
  const done = fragment('done_where');
  const out = {} as Record<AdminQuery, string>;
  for (const name of NAMES) {
    const text = loadQuery(`admin/${name}`, schema);
    out[name] = text.replaceAll('{{where}}', name.endsWith('_done') ? done : live);
  }
  return out;
}

import { parsePayloadSearch } from '../../lib/payload-search';

export const STATES = ['available', 'scheduled', 'running', 'completed', 'dead', 'cancelled'] as const;
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type JobState = (typeof STATES)[number];
export type Priority = (typeof PRIORITIES)[number];

/** The filter keys kept in the URL (`#/jobs?queue=ingest&state=dead&payload=...`). */
export const FILTER_KEYS = ['queue', 'tenant', 'state', 'priority', 'from', 'to', 'payload'] as const;

export interface JobFilter {
  queue?: string;
  tenant?: string;
  state?: JobState;
  priority?: Priority;
  /** ISO timestamps. */
  from?: string;
  to?: string;
  payload?: Record<string, unknown>;
}

/** `datetime-local` value (local time, no zone) → ISO; '' or invalid → undefined. */
export function localToIso(v: string | null): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The URL's filter, checked: what to send, or the field that is wrong. */
export function filterFromUrl(params: URLSearchParams): { filter: JobFilter; errors: Record<string, string> } {
  const filter: JobFilter = {};
  const errors: Record<string, string> = {};
  const queue = params.get('queue')?.trim();
  const tenant = params.get('tenant')?.trim();
  if (queue) filter.queue = queue;
  if (tenant) filter.tenant = tenant;
  const state = params.get('state');
  if (state) {
    if ((STATES as readonly string[]).includes(state)) filter.state = state as JobState;
    else errors.state = `unknown state ${state}`;
  }
  const priority = params.get('priority');
  if (priority) {
    if ((PRIORITIES as readonly string[]).includes(priority)) filter.priority = priority as Priority;
    else errors.priority = `unknown priority ${priority}`;
  }
  for (const k of ['from', 'to'] as const) {
    const raw = params.get(k);
    if (!raw) continue;
    const iso = localToIso(raw);
    if (iso) filter[k] = iso;
    else errors[k] = 'not a date and time';
  }
  const search = parsePayloadSearch(params.get('payload') ?? '');
  if (search && 'error' in search) errors.payload = search.error;
  else if (search) filter.payload = search.fragment;
  return { filter, errors };
}

/** The filter as GET /api/jobs query parameters (the payload fragment travels as JSON text). */
export function toQuery(f: JobFilter) {
  const { payload, ...rest } = f;
  return payload ? { ...rest, payload: JSON.stringify(payload) } : rest;
}

import {
  LIST_MAX,
  PAGE_SIZE,
  RANGES,
  type RangeKey,
  TENANT_WINDOWS,
  type TenantSort,
  type TenantsView,
  type TenantWindow,
} from '../api/queries';

/** How a page's URL reads into what it asks the API (shared by the pages and the start-up prefetch). */

const SORTS: TenantSort[] = ['backlog', 'running', 'completed', 'name'];

export function tenantsViewOf(queue: string, params: URLSearchParams): TenantsView {
  const raw = params.get('sort') as TenantSort;
  const sort: TenantSort = SORTS.includes(raw) ? raw : 'backlog';
  const o = params.get('order');
  const order = o === 'asc' || o === 'desc' ? o : sort === 'name' ? 'asc' : 'desc';
  const w = params.get('window') as TenantWindow;
  const window: TenantWindow = TENANT_WINDOWS.includes(w) ? w : '15m';
  return { queue, sort, order, search: params.get('search') ?? '', window };
}

export function rangeOf(params: URLSearchParams): RangeKey {
  const r = params.get('range');
  return r !== null && r in RANGES ? (r as RangeKey) : '1h';
}

/** Rows per page of the queues, schedules and workers lists: `?size=` (1 to 500), default 50. */
export function pageSizeOf(params: URLSearchParams): number {
  const raw = params.get('size');
  const n = raw !== null && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= 1 && n <= LIST_MAX ? n : PAGE_SIZE;
}

import { queryOptions } from '@tanstack/react-query';
import { denseSteps } from '../lib/timeseries';
import type { JobFilter } from '../pages/jobs/filter';
import { toQuery } from '../pages/jobs/filter';
import { api, unwrap } from './client';

/**
 * Every read the pages make, as TanStack query options: one place for each request's
 * key and shape, so a page and the start-up prefetch (lib/prefetch.ts) share the cache.
 */

export const PAGE_SIZE = 50;
/** The API's largest page (src/admin/page.ts PAGE_MAX). */
export const LIST_MAX = 500;
const cursorOf = (cursor: string | null) => (cursor ? { cursor } : {});
/**
 * Paging keeps the old page on screen while the next loads; another filter does not
 * (rows of another filter would read as its answer). `key` minus its last part (the
 * cursor) names the filter.
 */
function keepWhilePaging(key: readonly unknown[]) {
  const filter = JSON.stringify(key.slice(0, -1));
  return <T>(prev: T | undefined, prevQuery?: { queryKey: readonly unknown[] }): T | undefined =>
    prevQuery && JSON.stringify(prevQuery.queryKey.slice(0, -1)) === filter ? prev : undefined;
}

/** The time ranges the per-minute rollups serve, with a step that keeps each chart near 60-170 points. */
export const RANGES = {
  '15m': { ms: 15 * 60_000, stepSec: 60 },
  '1h': { ms: 60 * 60_000, stepSec: 60 },
  '24h': { ms: 24 * 60 * 60_000, stepSec: 600 },
  '7d': { ms: 7 * 24 * 60 * 60_000, stepSec: 3_600 },
} as const;
export type RangeKey = keyof typeof RANGES;

export type TenantSort = 'backlog' | 'running' | 'completed' | 'name';
/** Windows of the tenants' share of completed jobs (the API's `window`). */
export const TENANT_WINDOWS = ['5m', '15m', '1h', '6h'] as const;
export type TenantWindow = (typeof TENANT_WINDOWS)[number];
export interface TenantsView {
  queue: string;
  sort: TenantSort;
  order: 'asc' | 'desc';
  search: string;
  window: TenantWindow;
}

export const queries = {
  me: () =>
    queryOptions({
      queryKey: ['me'],
      queryFn: ({ signal }) => unwrap(api.GET('/api/me', { signal })),
      retry: false,
      refetchInterval: false,
      staleTime: Number.POSITIVE_INFINITY,
    }),
  /** A page of queues; the overview asks for the first LIST_MAX (its backlog chart shows them all). */
  queues: (cursor: string | null = null, limit = LIST_MAX) => {
    const queryKey = ['queues', limit, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) => unwrap(api.GET('/api/queues', { params: { query: { limit, ...cursorOf(cursor) } }, signal })),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  tenants: (v: TenantsView, cursor: string | null) => {
    const queryKey = ['tenants', v.queue, v.sort, v.order, v.search, v.window, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) =>
        unwrap(
          api.GET('/api/queues/{queue}/tenants', {
            params: {
              path: { queue: v.queue },
              query: {
                sort: v.sort,
                order: v.order,
                window: v.window,
                limit: PAGE_SIZE,
                ...(v.search ? { search: v.search } : {}),
                ...cursorOf(cursor),
              },
            },
            signal,
          }),
        ),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  jobs: (filter: JobFilter, cursor: string | null) => {
    const queryKey = ['jobs', JSON.stringify(filter), cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) =>
        unwrap(api.GET('/api/jobs', { params: { query: { ...toQuery(filter), limit: PAGE_SIZE, ...cursorOf(cursor) } }, signal })),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  job: (id: string) =>
    queryOptions({
      queryKey: ['job', id],
      queryFn: ({ signal }) => unwrap(api.GET('/api/jobs/{id}', { params: { path: { id } }, signal })),
    }),
  schedules: (cursor: string | null, limit: number) => {
    const queryKey = ['schedules', limit, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) => unwrap(api.GET('/api/schedules', { params: { query: { limit, ...cursorOf(cursor) } }, signal })),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  scheduler: () => queryOptions({ queryKey: ['scheduler'], queryFn: ({ signal }) => unwrap(api.GET('/api/scheduler', { signal })) }),
  cycles: (name: string) =>
    queryOptions({
      queryKey: ['cycles', name],
      queryFn: ({ signal }) =>
        unwrap(api.GET('/api/schedules/{name}/cycles', { params: { path: { name }, query: { limit: 20 } }, signal })),
    }),
  workers: (cursor: string | null, limit: number) => {
    const queryKey = ['workers', limit, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) => unwrap(api.GET('/api/workers', { params: { query: { limit, ...cursorOf(cursor) } }, signal })),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  connections: () => queryOptions({ queryKey: ['connections'], queryFn: ({ signal }) => unwrap(api.GET('/api/connections', { signal })) }),
  alerts: (state: 'active' | 'resolved', cursor: string | null, limit = PAGE_SIZE) => {
    const queryKey = ['alerts', state, limit, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) => unwrap(api.GET('/api/alerts', { params: { query: { state, limit, ...cursorOf(cursor) } }, signal })),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  tokens: (all: boolean, cursor: string | null) => {
    const queryKey = ['tokens', all, cursor];
    return queryOptions({
      queryKey,
      queryFn: ({ signal }) =>
        unwrap(
          api.GET('/api/tokens', {
            params: { query: { limit: PAGE_SIZE, ...(all ? { all: 'true' as const } : {}), ...cursorOf(cursor) } },
            signal,
          }),
        ),
      placeholderData: keepWhilePaging(queryKey),
    });
  },
  alertRules: () => queryOptions({ queryKey: ['alert-rules'], queryFn: ({ signal }) => unwrap(api.GET('/api/alert-rules', { signal })) }),
  timeseries: (range: RangeKey, queue: string | null) =>
    queryOptions({
      queryKey: ['timeseries', range, queue],
      queryFn: ({ signal }) => {
        const { ms, stepSec } = RANGES[range];
        // Aligned to the step so consecutive refreshes ask for the same buckets.
        const to = Math.ceil(Date.now() / (stepSec * 1000)) * stepSec * 1000;
        const from = to - ms;
        return unwrap(
          api.GET('/api/timeseries', {
            params: { query: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSec, ...(queue ? { queue } : {}) } },
            signal,
          }),
        ).then((ts) => ({ stepSec: ts.stepSec, ...denseSteps(ts.points, from, to, ts.stepSec) }));
      },
    }),
};

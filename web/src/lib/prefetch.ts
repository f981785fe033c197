import type { QueryClient } from '@tanstack/react-query';
import { queries } from '../api/queries';
import { filterFromUrl } from '../pages/jobs/filter';
import { match, parseHash } from './router';
import { pageSizeOf, rangeOf, tenantsViewOf } from './views';

type First = (qc: QueryClient, p: Record<string, string>, q: URLSearchParams) => Promise<unknown>;

/** Each page's first requests, from its URL (the same options the page uses, so the cache is shared). */
const FIRST: [string, First][] = [
  ['/', (qc, _, q) => Promise.all([qc.prefetchQuery(queries.queues()), qc.prefetchQuery(queries.timeseries(rangeOf(q), q.get('queue')))])],
  ['/queues', (qc, _, q) => qc.prefetchQuery(queries.queues(null, pageSizeOf(q)))],
  ['/queues/:queue/tenants', (qc, p, q) => qc.prefetchQuery(queries.tenants(tenantsViewOf(p.queue!, q), null))],
  [
    '/jobs',
    async (qc, _, q) => {
      const { filter, errors } = filterFromUrl(q);
      if (Object.keys(errors).length === 0) await qc.prefetchQuery(queries.jobs(filter, null));
    },
  ],
  ['/jobs/:id', (qc, p) => qc.prefetchQuery(queries.job(p.id!))],
  ['/schedules', (qc, _, q) => qc.prefetchQuery(queries.schedules(null, pageSizeOf(q)))],
  ['/alerts', (qc, _, q) => qc.prefetchQuery(queries.alerts(q.get('show') === 'resolved' ? 'resolved' : 'active', null))],
  ['/workers', (qc, _, q) => qc.prefetchQuery(queries.workers(null, pageSizeOf(q)))],
];

/**
 * Starts the opened page's first requests together with /api/me instead of after it, so
 * its data arrives a round trip sooner. A token that may not read them gets an error
 * that nothing shows (the page does not ask for what its token cannot see).
 */
export function prefetchOpenedPage(qc: QueryClient, hash: string): void {
  const { path, params } = parseHash(hash);
  for (const [pattern, first] of FIRST) {
    const p = match(pattern, path);
    if (p) {
      void first(qc, p, params);
      return;
    }
  }
}

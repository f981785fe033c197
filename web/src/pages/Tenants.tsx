import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import type { Reply } from '../api/client';
import { queries, TENANT_WINDOWS, type TenantSort, type TenantWindow } from '../api/queries';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCanConfigure } from '../lib/auth';
import { fmtAgo, fmtInt, fmtMs, fmtPct } from '../lib/format';
import { useSearchState } from '../lib/router';
import { tenantsViewOf } from '../lib/views';
import { TenantSettingsDialog } from './TenantSettingsDialog';

export type Tenant = Reply<'/api/queues/{queue}/tenants', 'get'>['items'][number];
type SortKey = TenantSort;

function SortHeader({
  label,
  k,
  sort,
  order,
  onSort,
}: {
  label: string;
  k: SortKey;
  sort: SortKey;
  order: 'asc' | 'desc';
  onSort: (k: SortKey) => void;
}) {
  const active = sort === k;
  return (
    <th
      scope="col"
      className={k === 'name' ? undefined : 'num'}
      aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort" onClick={() => onSort(k)}>
        {label} {active ? (order === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );
}

/**
 * The tenant's share of the queue's completed jobs in the window as a number and a bar,
 * with a mark at its fair share. The count is unknown (–) when the tenant was not among
 * the busiest tenants the rollups keep per minute and process; "≥" marks a lower bound.
 */
function ShareCell({ t }: { t: Tenant }) {
  const unknown = t.completedInWindow === null;
  const title = unknown
    ? 'Not among the busiest tenants kept by the per-minute rollups in this window: its completed jobs are counted under "other".'
    : `${fmtInt(t.completedInWindow)} completed in the window${t.completedExact ? '' : ' (at least: some minutes counted it under "other")'}`;
  return (
    <td className="num" data-col="share" title={title}>
      {unknown ? '–' : `${t.completedExact ? '' : '≥ '}${fmtPct(t.share)}`}
      <div className="bar share" aria-hidden="true">
        <span style={{ width: `${Math.min(100, 100 * (t.share ?? 0))}%` }} />
        {t.fairShare !== null && <i style={{ left: `${Math.min(100, 100 * t.fairShare)}%` }} />}
      </div>
    </td>
  );
}

/** The fairness view of one queue: every tenant's backlog, running jobs and share against its weight. */
export function TenantsPage({ queue }: { queue: string }) {
  const canWrite = useCanConfigure();
  const [params, set] = useSearchState();
  const view = tenantsViewOf(queue, params);
  const { sort, order, search, window: win } = view;
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);
  const pages = useCursorPages(`${queue}|${sort}|${order}|${search}|${win}`);
  const [editing, setEditing] = useState<Tenant | null>(null);

  const q = useQuery(queries.tenants(view, pages.cursor));

  const onSort = (k: SortKey) => set({ sort: k, order: k === sort ? (order === 'asc' ? 'desc' : 'asc') : k === 'name' ? 'asc' : 'desc' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    set({ search: draft.trim() });
  };

  return (
    <section>
      <p>
        <a href="#/queues">← Queues</a>
      </p>
      <div className="toolbar">
        <h1 className="grow">Tenants of {queue}</h1>
        <div className="actions">
          <label htmlFor="tenant-window">Share over</label>
          <select id="tenant-window" value={win} onChange={(e) => set({ window: e.target.value as TenantWindow })}>
            {TENANT_WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </div>
        <form className="actions" onSubmit={submit} aria-label="Search tenants">
          <label htmlFor="tenant-search" className="sr-only">
            Tenant name contains
          </label>
          <input id="tenant-search" type="search" placeholder="tenant name" value={draft} onChange={(e) => setDraft(e.target.value)} />
          <button type="submit" className="btn">
            Search
          </button>
        </form>
      </div>
      <Loaded query={q} label="Loading tenants">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>{search ? `No tenant of ${queue} matches “${search}”.` : `${queue} has no tenants with work or settings.`}</Empty>
          ) : (
            <>
              <TableWrap label={`Tenants of ${queue}`}>
                <table>
                  <caption className="sr-only">Tenants of {queue}</caption>
                  <thead>
                    <tr>
                      <SortHeader label="Tenant" k="name" sort={sort} order={order} onSort={onSort} />
                      <SortHeader label="Backlog" k="backlog" sort={sort} order={order} onSort={onSort} />
                      <SortHeader label="Running" k="running" sort={sort} order={order} onSort={onSort} />
                      <SortHeader label={`Share (${win})`} k="completed" sort={sort} order={order} onSort={onSort} />
                      <th scope="col" className="num">
                        Fair share
                      </th>
                      <th scope="col" className="num">
                        Weight
                      </th>
                      <th scope="col">Limits</th>
                      <th scope="col">Rate state</th>
                      {canWrite && (
                        <th scope="col">
                          <span className="sr-only">Actions</span>
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((t) => (
                      <tr key={t.tenant} data-tenant={t.tenant}>
                        <th scope="row">
                          <a href={`#/jobs?queue=${encodeURIComponent(queue)}&tenant=${encodeURIComponent(t.tenant)}`}>{t.tenant}</a>
                        </th>
                        <td className="num">{fmtInt(t.backlog)}</td>
                        <td className="num">{fmtInt(t.running)}</td>
                        <ShareCell t={t} />
                        <td className="num" data-col="fair-share">
                          {fmtPct(t.fairShare)}
                        </td>
                        <td className="num">{t.weight}</td>
                        <td className="wrap">
                          {t.concurrency === null ? 'queue default' : `≤ ${t.concurrency} running`}
                          {t.rate ? `, ${t.rate.limit}/${fmtMs(t.rate.periodMs)}` : ''}
                        </td>
                        <td>
                          {t.heldUntil && new Date(t.heldUntil).getTime() > Date.now() ? (
                            <span className="badge warning">held until {fmtAgo(t.heldUntil)}</span>
                          ) : t.tokens !== null ? (
                            `${t.tokens} token${t.tokens === 1 ? '' : 's'} left`
                          ) : (
                            '–'
                          )}
                        </td>
                        {canWrite && (
                          <td>
                            <button type="button" className="btn small" onClick={() => setEditing(t)}>
                              Configure<span className="sr-only"> {t.tenant}</span>
                            </button>
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <Pager pages={pages} nextCursor={page.nextCursor} busy={q.isFetching} />
            </>
          )
        }
      </Loaded>
      {editing && <TenantSettingsDialog queue={queue} tenant={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

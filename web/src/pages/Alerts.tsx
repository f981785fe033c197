import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, ErrorBox, Loaded } from '../components/Status';
import { useCan } from '../lib/auth';
import { fmtAgo, fmtTime } from '../lib/format';
import { pagedQuery, useWrite } from '../lib/queries';
import { useSearchState } from '../lib/router';

function AlertList({ state }: { state: 'active' | 'resolved' }) {
  const canWrite = useCan('operator');
  const pages = useCursorPages(state);
  const q = useQuery({
    queryKey: ['alerts', state, pages.cursor],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/alerts', { params: { query: { state, limit: 50, ...(pages.cursor ? { cursor: pages.cursor } : {}) } }, signal }),
      ),
    ...pagedQuery,
  });
  const resolve = useWrite((a: { id: string } | { type: string }) =>
    'id' in a
      ? unwrap(api.POST('/api/alerts/{id}/resolve', { params: { path: { id: a.id } } }))
      : unwrap(api.POST('/api/alerts/resolve', { body: { type: a.type } as never })),
  );
  const clear = useWrite(() => unwrap(api.DELETE('/api/alerts')));

  return (
    <Loaded query={q} label="Loading alerts">
      {(page) => (
        <>
          {resolve.error && <ErrorBox error={resolve.error} title="Could not resolve" />}
          {page.items.length === 0 ? (
            <Empty>{state === 'active' ? 'No active alert.' : 'No resolved alert kept.'}</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">{state} alerts</caption>
                <thead>
                  <tr>
                    <th scope="col">Severity</th>
                    <th scope="col">Type</th>
                    <th scope="col">Message</th>
                    <th scope="col">Fired</th>
                    {state === 'resolved' && <th scope="col">Resolved</th>}
                    {canWrite && state === 'active' && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((a) => (
                    <tr key={a.id} data-alert={a.type}>
                      <td>
                        <span className={`badge ${a.severity}`}>{a.severity}</span>
                      </td>
                      <td className="mono">{a.type}</td>
                      <td className="wrap">{a.message}</td>
                      <td title={fmtTime(a.firedAt)}>{fmtAgo(a.firedAt)}</td>
                      {state === 'resolved' && <td title={fmtTime(a.resolvedAt)}>{fmtAgo(a.resolvedAt)}</td>}
                      {canWrite && state === 'active' && (
                        <td>
                          <div className="actions">
                            <button type="button" className="btn small" onClick={() => resolve.mutate({ id: a.id })}>
                              Resolve<span className="sr-only"> {a.type}</span>
                            </button>
                            <button type="button" className="btn small" onClick={() => resolve.mutate({ type: a.type })}>
                              Resolve all {a.type}
                            </button>
                          </div>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager pages={pages} nextCursor={page.nextCursor} busy={q.isFetching} />
          {canWrite && state === 'resolved' && page.items.length > 0 && (
            <button type="button" className="btn danger" onClick={() => clear.mutate(undefined)}>
              Clear resolved alerts
            </button>
          )}
        </>
      )}
    </Loaded>
  );
}

function Rules() {
  const q = useQuery({ queryKey: ['alert-rules'], queryFn: ({ signal }) => unwrap(api.GET('/api/alert-rules', { signal })) });
  return (
    <Loaded query={q} label="Loading rules">
      {({ items }) => (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Alert rules</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Severity</th>
                <th scope="col">Threshold</th>
                <th scope="col">Enabled</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.rule}>
                  <th scope="row" className="mono">
                    {r.rule}
                  </th>
                  <td>
                    <span className={`badge ${r.severity}`}>{r.severity}</span>
                  </td>
                  <td className="mono wrap">{JSON.stringify(r.threshold)}</td>
                  <td>{r.enabled ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Loaded>
  );
}

export function AlertsPage() {
  const [params, set] = useSearchState();
  const tab = params.get('show') === 'resolved' ? 'resolved' : params.get('show') === 'rules' ? 'rules' : 'active';
  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">Alerts</h1>
        <fieldset className="actions plain">
          <legend className="sr-only">Show</legend>
          {(['active', 'resolved', 'rules'] as const).map((t) => (
            <button
              key={t}
              type="button"
              className={`btn small${t === tab ? ' primary' : ''}`}
              aria-pressed={t === tab}
              onClick={() => set({ show: t })}
            >
              {t}
            </button>
          ))}
        </fieldset>
      </div>
      {tab === 'rules' ? <Rules /> : <AlertList key={tab} state={tab} />}
    </section>
  );
}

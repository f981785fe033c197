import { useQuery } from '@tanstack/react-query';
import { queries } from '../api/queries';
import { ListPager, useListPages } from '../components/Pager';
import { Empty, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { fmtAgo, fmtInt, fmtMs, fmtTime } from '../lib/format';
import { readStats } from './worker-stats';

/** "1.0 s … 1.0 h, jitter 0.5": the first delay, the cap, the random fraction. */
function backoffText(r: { baseMs: number; maxMs: number; jitter: number }): string {
  const d = (ms: number) => fmtMs(ms).replace(' ', '\u00a0');
  return `${d(r.baseMs)} … ${d(r.maxMs)}, jitter\u00a0${r.jitter}`;
}

function Workers() {
  const { size, pages } = useListPages();
  const q = useQuery(queries.workers(pages.cursor, size));
  return (
    <Loaded query={q} label="Loading workers">
      {({ items, nextCursor }) =>
        items.length === 0 ? (
          <Empty>No live worker process.</Empty>
        ) : (
          <>
            <TableWrap label="Live worker processes">
              <table>
                <caption className="sr-only">Live worker processes</caption>
                <thead>
                  <tr>
                    <th scope="col">Worker</th>
                    <th scope="col">Queues</th>
                    <th scope="col">Started</th>
                    <th scope="col" className="num">
                      Heartbeat
                    </th>
                    <th scope="col" className="num">
                      In flight
                    </th>
                    <th scope="col" className="num">
                      Pool total / idle / waiting
                    </th>
                    <th scope="col">Batcher</th>
                    <th scope="col">Guard</th>
                    <th scope="col">Retry backoff</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((w) => {
                    const st = readStats(w.stats);
                    return (
                      <tr key={w.id} data-worker={w.id}>
                        <th scope="row" className="mono">
                          {w.hostname}:{w.pid}
                        </th>
                        <td className="wrap">{w.queues.join(', ')}</td>
                        <td title={fmtTime(w.startedAt)}>{fmtAgo(w.startedAt)}</td>
                        <td className="num">{fmtMs(w.heartbeatAgeMs)} ago</td>
                        <td
                          className="num"
                          title={Object.entries(st.running)
                            .map(([q, n]) => `${q}: ${n}`)
                            .join(', ')}
                        >
                          {fmtInt(st.inFlight)}
                        </td>
                        <td className="num">{st.pool ? `${st.pool.total} / ${st.pool.idle} / ${st.pool.waiting}` : '–'}</td>
                        <td>{st.batcherPending === null ? '–' : `${fmtInt(st.batcherPending)} pending`}</td>
                        <td>{st.guard ?? '–'}</td>
                        <td className="wrap" data-col="retry">
                          {Object.entries(st.retry).map(([queue, r]) => (
                            <div key={queue}>
                              {queue}: {backoffText(r)}
                            </div>
                          ))}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </TableWrap>
            <ListPager pages={pages} nextCursor={nextCursor} busy={q.isFetching} />
          </>
        )
      }
    </Loaded>
  );
}

function Connections() {
  const q = useQuery(queries.connections());
  return (
    <Loaded query={q} label="Loading connections">
      {(c) => (
        <>
          <p>
            <strong data-testid="connections-summary">
              {fmtInt(c.used)} of {fmtInt(c.maxConnections)}
            </strong>{' '}
            server connections in use ({fmtInt(c.reserved)} reserved for superusers, {fmtInt(c.available)} available).
          </p>
          <TableWrap label="Connections by application and state">
            <table>
              <caption className="sr-only">Connections by application and state</caption>
              <thead>
                <tr>
                  <th scope="col">Application</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Connections
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.byApplication.map((r) => (
                  <tr key={`${r.application}|${r.state}`}>
                    <td>{r.application || '(none)'}</td>
                    <td>{r.state || '–'}</td>
                    <td className="num">{fmtInt(r.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <h3>Pools of rota processes</h3>
          {c.pools.length === 0 ? (
            <Empty>No live rota process reported its pool.</Empty>
          ) : (
            <TableWrap label="Connection pools of rota processes">
              <table>
                <caption className="sr-only">Connection pools of rota processes</caption>
                <thead>
                  <tr>
                    <th scope="col">Process</th>
                    <th scope="col" className="num">
                      Total
                    </th>
                    <th scope="col" className="num">
                      Idle
                    </th>
                    <th scope="col" className="num">
                      Waiting
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {c.pools.map((p) => (
                    <tr key={p.worker}>
                      <td className="mono">
                        {p.hostname}:{p.pid}
                      </td>
                      <td className="num">{p.pool ? fmtInt(p.pool.total) : '–'}</td>
                      <td className="num">{p.pool ? fmtInt(p.pool.idle) : '–'}</td>
                      <td className="num">{p.pool ? fmtInt(p.pool.waiting) : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </Loaded>
  );
}

export function WorkersPage() {
  return (
    <section>
      <h1>Workers and connections</h1>
      <h2>Worker processes</h2>
      <Workers />
      <h2>PostgreSQL connections</h2>
      <Connections />
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Empty, Loaded } from '../components/Status';
import { fmtAgo, fmtInt, fmtMs, fmtTime } from '../lib/format';

function Workers() {
  const q = useQuery({ queryKey: ['workers'], queryFn: ({ signal }) => unwrap(api.GET('/api/workers', { signal })) });
  return (
    <Loaded query={q} label="Loading workers">
      {({ items }) =>
        items.length === 0 ? (
          <Empty>No live worker process.</Empty>
        ) : (
          <div className="table-wrap">
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
                </tr>
              </thead>
              <tbody>
                {items.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" className="mono">
                      {w.hostname}:{w.pid}
                    </th>
                    <td className="wrap">{w.queues.join(', ')}</td>
                    <td title={fmtTime(w.startedAt)}>{fmtAgo(w.startedAt)}</td>
                    <td className="num">{fmtMs(w.heartbeatAgeMs)} ago</td>
                    <td className="num">{fmtInt(w.inFlight)}</td>
                    <td className="num">{w.pool ? `${w.pool.total} / ${w.pool.idle} / ${w.pool.waiting}` : '–'}</td>
                    <td className="mono wrap">{w.batcher ? JSON.stringify(w.batcher) : '–'}</td>
                    <td className="mono wrap">{w.guard ? JSON.stringify(w.guard) : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Loaded>
  );
}

function Connections() {
  const q = useQuery({ queryKey: ['connections'], queryFn: ({ signal }) => unwrap(api.GET('/api/connections', { signal })) });
  return (
    <Loaded query={q} label="Loading connections">
      {(c) => (
        <>
          <p>
            <strong data-testid="connections-summary">
              {fmtInt(c.server.used)} of {fmtInt(c.server.max)}
            </strong>{' '}
            server connections in use.
          </p>
          <div className="table-wrap">
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
                    <td>{r.state ?? '–'}</td>
                    <td className="num">{fmtInt(r.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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

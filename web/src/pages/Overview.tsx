import { useQuery } from '@tanstack/react-query';
import { queries, RANGES, type RangeKey } from '../api/queries';
import { Chart } from '../components/Chart';
import { Empty, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useMe } from '../lib/auth';
import { fmtAgo, fmtInt, fmtMs, fmtRate } from '../lib/format';
import { useSearchState } from '../lib/router';
import { rangeOf } from '../lib/views';
import { backlogOf } from './queue-model';

function RangePicker({ value, onChange }: { value: RangeKey; onChange: (r: RangeKey) => void }) {
  return (
    <fieldset className="actions" style={{ border: 'none', padding: 0, margin: 0 }}>
      <legend className="muted" style={{ float: 'left', marginRight: '0.5rem' }}>
        Range
      </legend>
      {(Object.keys(RANGES) as RangeKey[]).map((r) => (
        <button
          key={r}
          type="button"
          className={`btn small${r === value ? ' primary' : ''}`}
          aria-pressed={r === value}
          onClick={() => onChange(r)}
        >
          {r}
        </button>
      ))}
    </fieldset>
  );
}

function Charts({ range, queue }: { range: RangeKey; queue: string | null }) {
  const q = useQuery(queries.timeseries(range, queue));
  return (
    <Loaded query={q} label="Loading charts">
      {(ts) => {
        const times = ts.times;
        const perSec = (v: number) => v / ts.stepSec;
        return (
          <div className="grid">
            <div className="card">
              <Chart
                title="Throughput (jobs/s)"
                times={times}
                format={fmtRate}
                series={[
                  { label: 'completed/s', color: '#2f9e44', values: ts.points.map((p) => perSec(p.completed)) },
                  { label: 'failed/s', color: '#e03131', values: ts.points.map((p) => perSec(p.failed)) },
                  { label: 'dead/s', color: '#862e9c', values: ts.points.map((p) => perSec(p.dead)) },
                ]}
              />
            </div>
            <div className="card">
              <Chart
                title="Queue wait (ms)"
                times={times}
                format={(v) => fmtMs(v)}
                series={[
                  { label: 'p50', color: '#1c7ed6', values: ts.points.map((p) => p.wait.p50) },
                  { label: 'p95', color: '#f08c00', values: ts.points.map((p) => p.wait.p95) },
                  { label: 'p99', color: '#e03131', values: ts.points.map((p) => p.wait.p99) },
                ]}
              />
            </div>
            <div className="card">
              <Chart
                title="Run time (ms)"
                times={times}
                format={(v) => fmtMs(v)}
                series={[
                  { label: 'p50', color: '#1c7ed6', values: ts.points.map((p) => p.run.p50) },
                  { label: 'p95', color: '#f08c00', values: ts.points.map((p) => p.run.p95) },
                  { label: 'p99', color: '#e03131', values: ts.points.map((p) => p.run.p99) },
                ]}
              />
            </div>
          </div>
        );
      }}
    </Loaded>
  );
}

function Backlog() {
  const q = useQuery(queries.queues());
  return (
    <section className="card" aria-labelledby="backlog-h">
      <h2 id="backlog-h" style={{ marginTop: 0 }}>
        Backlog per queue
      </h2>
      <Loaded query={q} label="Loading queues">
        {({ items }) => {
          if (items.length === 0) return <Empty>No queues yet: enqueue a job to create one.</Empty>;
          const max = Math.max(1, ...items.map(backlogOf));
          return (
            <TableWrap label="Backlog per queue" className="scroll-x">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col" className="num">
                      Backlog
                    </th>
                    <th scope="col" className="num">
                      Running
                    </th>
                    <th scope="col" className="num">
                      Oldest
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((qu) => (
                    <tr key={qu.queue}>
                      <td>
                        <a href={`#/jobs?queue=${encodeURIComponent(qu.queue)}`}>{qu.queue}</a>{' '}
                        {qu.paused && <span className="badge paused">paused</span>}
                      </td>
                      <td className="num">
                        {fmtInt(backlogOf(qu))}
                        <div className="bar" aria-hidden="true">
                          <span style={{ width: `${(100 * backlogOf(qu)) / max}%` }} />
                        </div>
                      </td>
                      <td className="num">{fmtInt(qu.running)}</td>
                      <td className="num">{fmtMs(qu.oldestReadyAgeMs)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          );
        }}
      </Loaded>
    </section>
  );
}

function ActiveAlerts() {
  const q = useQuery(queries.alerts('active', null, 10));
  return (
    <section className="card" aria-labelledby="alerts-h">
      <h2 id="alerts-h" style={{ marginTop: 0 }}>
        Active alerts
      </h2>
      <Loaded query={q} label="Loading alerts">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>None: all clear.</Empty>
          ) : (
            <ul>
              {items.map((a) => (
                <li key={`${a.type}|${a.subject}`}>
                  <span className={`badge ${a.severity}`}>{a.severity}</span> {a.message}{' '}
                  <span className="muted">{fmtAgo(a.lastSeen)}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <a href="#/alerts">All alerts</a>
    </section>
  );
}

function Connections() {
  const q = useQuery(queries.connections());
  return (
    <section className="card" aria-labelledby="conn-h">
      <h2 id="conn-h" style={{ marginTop: 0 }}>
        PostgreSQL connections
      </h2>
      <Loaded query={q} label="Loading connections">
        {(c) => {
          return (
            <>
              <p className="stat">
                <span className="v" data-testid="connections-used">
                  {fmtInt(c.used)}
                </span>{' '}
                <span className="k">of {fmtInt(c.maxConnections)} in use</span>
              </p>
              <meter
                className="conn"
                min={0}
                max={c.maxConnections}
                low={c.maxConnections * 0.6}
                high={c.maxConnections * 0.8}
                optimum={0}
                value={c.used}
                aria-label="connections in use"
              />
              <a href="#/workers">By application and state</a>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

export function OverviewPage() {
  const me = useMe();
  const [params, set] = useSearchState();
  const range = rangeOf(params);
  const queue = params.get('queue');
  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">Overview</h1>
        {me.tenant === null && <RangePicker value={range} onChange={(r) => set({ range: r })} />}
      </div>
      {me.tenant === null && <Charts range={range} queue={queue} />}
      <div className="grid" style={{ marginTop: '1rem' }}>
        <Backlog />
        {me.tenant === null && <ActiveAlerts />}
        {me.tenant === null && <Connections />}
      </div>
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { QueueSettingsDialog } from '../components/QueueSettingsDialog';
import { Empty, ErrorBox, Loaded } from '../components/Status';
import { useCan } from '../lib/auth';
import { fmtInt, fmtMs, fmtRate } from '../lib/format';
import { useWrite } from '../lib/queries';
import type { Queue } from './queue-model';

function PauseButton({ queue }: { queue: Queue }) {
  const write = useWrite((paused: boolean) =>
    paused
      ? unwrap(api.POST('/api/queues/{queue}/resume', { params: { path: { queue: queue.name } } }))
      : unwrap(api.POST('/api/queues/{queue}/pause', { params: { path: { queue: queue.name } } })),
  );
  return (
    <>
      <button type="button" className="btn small" disabled={write.isPending} onClick={() => write.mutate(queue.paused)}>
        {queue.paused ? 'Resume' : 'Pause'}
        <span className="sr-only"> {queue.name}</span>
      </button>
      {write.error && <ErrorBox error={write.error} title="Failed" />}
    </>
  );
}

export function QueuesPage() {
  const q = useQuery({ queryKey: ['queues'], queryFn: ({ signal }) => unwrap(api.GET('/api/queues', { signal })) });
  const canWrite = useCan('operator');
  const [editing, setEditing] = useState<Queue | null>(null);

  return (
    <section>
      <h1>Queues</h1>
      <Loaded query={q} label="Loading queues">
        {({ items }) =>
          items.length === 0 ? (
            <Empty>No queues yet: a queue appears with its first job.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Queues with their job counts, limits and state</caption>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col" className="num">
                      Ready
                    </th>
                    <th scope="col" className="num">
                      Delayed
                    </th>
                    <th scope="col" className="num">
                      Running
                    </th>
                    <th scope="col" className="num">
                      Completed
                    </th>
                    <th scope="col" className="num">
                      Dead
                    </th>
                    <th scope="col" className="num">
                      Oldest ready
                    </th>
                    <th scope="col" className="num">
                      Done/min
                    </th>
                    <th scope="col">Limits</th>
                    <th scope="col">Breaker</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((qu) => (
                    <tr key={qu.name} data-queue={qu.name}>
                      <th scope="row">
                        <a href={`#/jobs?queue=${encodeURIComponent(qu.name)}`}>{qu.name}</a>
                      </th>
                      <td className="num">{fmtInt(qu.counts.available)}</td>
                      <td className="num">{fmtInt(qu.counts.scheduled)}</td>
                      <td className="num">{fmtInt(qu.counts.running)}</td>
                      <td className="num">{fmtInt(qu.counts.completed)}</td>
                      <td className="num">
                        {qu.counts.dead > 0 ? (
                          <a href={`#/jobs?queue=${encodeURIComponent(qu.name)}&state=dead`}>{fmtInt(qu.counts.dead)}</a>
                        ) : (
                          '0'
                        )}
                      </td>
                      <td className="num">{fmtMs(qu.oldestReadyAgeMs)}</td>
                      <td className="num">{fmtRate(qu.throughput.completedPerMin)}</td>
                      <td className="wrap">
                        {qu.settings.concurrency === null ? 'no cap' : `≤ ${qu.settings.concurrency} running`}
                        {qu.settings.rate ? `, ${qu.settings.rate.limit}/${fmtMs(qu.settings.rate.periodMs)}` : ''}
                      </td>
                      <td>{qu.breaker ? <span className={`badge ${qu.breaker.state}`}>{qu.breaker.state}</span> : '–'}</td>
                      <td>{qu.paused ? <span className="badge paused">paused</span> : <span className="badge ok">active</span>}</td>
                      <td>
                        <div className="actions">
                          <a className="btn small" href={`#/queues/${encodeURIComponent(qu.name)}/tenants`}>
                            Tenants<span className="sr-only"> of {qu.name}</span>
                          </a>
                          {canWrite && <PauseButton queue={qu} />}
                          {canWrite && (
                            <button type="button" className="btn small" onClick={() => setEditing(qu)}>
                              Configure<span className="sr-only"> {qu.name}</span>
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {editing && <QueueSettingsDialog queue={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

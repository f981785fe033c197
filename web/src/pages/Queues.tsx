import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { queries } from '../api/queries';
import { BreakerControls } from '../components/BreakerControls';
import { BreakerSettingsDialog } from '../components/BreakerSettingsDialog';
import { ListPager, useListPages } from '../components/Pager';
import { QueueSettingsDialog } from '../components/QueueSettingsDialog';
import { Empty, ErrorBox, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCanConfigure } from '../lib/auth';
import { fmtAgo, fmtInt, fmtMs, fmtRate } from '../lib/format';
import { useWrite } from '../lib/queries';
import type { Queue } from './queue-model';

function PauseButton({ queue }: { queue: Queue }) {
  const write = useWrite((paused: boolean) =>
    paused
      ? unwrap(api.POST('/api/queues/{queue}/resume', { params: { path: { queue: queue.queue } } }))
      : unwrap(api.POST('/api/queues/{queue}/pause', { params: { path: { queue: queue.queue } } })),
  );
  return (
    <>
      <button type="button" className="btn small" disabled={write.isPending} onClick={() => write.mutate(queue.paused)}>
        {queue.paused ? 'Resume' : 'Pause'}
        <span className="sr-only"> {queue.queue}</span>
      </button>
      {write.error && <ErrorBox error={write.error} title="Failed" />}
    </>
  );
}

function rateText(r: { limit: number; periodMs: number } | null): string {
  return r ? `${r.limit} per ${fmtMs(r.periodMs)}` : '';
}

/** "≤ 10 running, 450 per 1 min; per tenant ≤ 2" */
export function limitsText(q: Queue): string {
  const parts = [
    q.concurrency === null ? null : `≤ ${q.concurrency} running`,
    q.rate ? rateText(q.rate) : null,
    q.tenantConcurrency === null && !q.tenantRate
      ? null
      : `per tenant ${[q.tenantConcurrency === null ? null : `≤ ${q.tenantConcurrency}`, q.tenantRate ? rateText(q.tenantRate) : null].filter(Boolean).join(', ')}`,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'no limits';
}

/** The stored retry policy, "" when none: "3 attempts, retry after 2.0 s … 1.0 min, jitter 0.2". */
export function retryText(q: Queue): string {
  const r = q.retry;
  // A duration never breaks across lines ("2.0 s", not "2.0" then "s").
  const ms = (v: number | null) => (v === null ? "code's" : fmtMs(v).replace(' ', '\u00a0'));
  const backoff = r.baseMs === null && r.maxMs === null ? null : `retry after ${ms(r.baseMs)} … ${ms(r.maxMs)}`;
  const parts = [
    r.maxAttempts === null ? null : `${r.maxAttempts} attempts`,
    backoff,
    r.jitter === null ? null : `jitter ${r.jitter}`,
  ].filter(Boolean);
  return parts.join(', ');
}

export function QueuesPage() {
  const { size, pages } = useListPages();
  const q = useQuery(queries.queues(pages.cursor, size));
  const canWrite = useCanConfigure();
  const [editing, setEditing] = useState<Queue | null>(null);
  const [editingBreaker, setEditingBreaker] = useState<Queue | null>(null);

  return (
    <section>
      <h1>Queues</h1>
      <Loaded query={q} label="Loading queues">
        {({ items, nextCursor }) =>
          items.length === 0 ? (
            <Empty>No queues yet: a queue appears with its first job.</Empty>
          ) : (
            <>
              <TableWrap label="Queues with their job counts, limits and state">
                <table>
                  <caption className="sr-only">Queues with their job counts, limits and state</caption>
                  <thead>
                    <tr>
                      <th scope="col">Queue</th>
                      <th scope="col" className="num">
                        Waiting
                      </th>
                      <th scope="col" className="num">
                        Running
                      </th>
                      <th scope="col" className="num">
                        Oldest ready
                      </th>
                      <th scope="col" className="num">
                        Finished/s
                      </th>
                      <th scope="col">Dead jobs</th>
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
                      <tr key={qu.queue} data-queue={qu.queue}>
                        <th scope="row">
                          <a href={`#/jobs?queue=${encodeURIComponent(qu.queue)}`}>{qu.queue}</a>
                        </th>
                        <td className="num">{fmtInt(qu.waiting)}</td>
                        <td className="num">{fmtInt(qu.running)}</td>
                        <td className="num">{fmtMs(qu.oldestReadyAgeMs)}</td>
                        <td className="num">{fmtRate(qu.finishedPerSec)}</td>
                        <td>
                          <a href={`#/jobs?queue=${encodeURIComponent(qu.queue)}&state=dead`} aria-label={`dead jobs of ${qu.queue}`}>
                            dead jobs
                          </a>
                        </td>
                        <td className="wrap">
                          {limitsText(qu)}
                          {retryText(qu) && (
                            <>
                              <br />
                              <span className="muted" data-col="retry">
                                {retryText(qu)}
                              </span>
                            </>
                          )}
                        </td>
                        <td>
                          <div className="actions">
                            {qu.breaker ? (
                              <>
                                <span className={`badge ${qu.breaker.state}`}>
                                  {qu.breaker.forced ? `${qu.breaker.state} (forced)` : qu.breaker.state}
                                </span>
                                {canWrite && <BreakerControls queue={qu.queue} state={qu.breaker.state} forced={qu.breaker.forced} />}
                              </>
                            ) : (
                              <span>–</span>
                            )}
                            {canWrite && (
                              <button type="button" className="btn small" onClick={() => setEditingBreaker(qu)}>
                                Thresholds<span className="sr-only">: breaker of {qu.queue}</span>
                              </button>
                            )}
                          </div>
                        </td>
                        <td>
                          {qu.paused ? (
                            <span className="badge paused">paused</span>
                          ) : qu.heldUntil ? (
                            <span className="badge warning">held {fmtAgo(qu.heldUntil)}</span>
                          ) : (
                            <span className="badge ok">active</span>
                          )}
                        </td>
                        <td>
                          <div className="actions">
                            <a className="btn small" href={`#/queues/${encodeURIComponent(qu.queue)}/tenants`}>
                              Tenants<span className="sr-only"> of {qu.queue}</span>
                            </a>
                            {canWrite && <PauseButton queue={qu} />}
                            {canWrite && (
                              <button type="button" className="btn small" onClick={() => setEditing(qu)}>
                                Configure<span className="sr-only"> {qu.queue}</span>
                              </button>
                            )}
                          </div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <ListPager pages={pages} nextCursor={nextCursor} busy={q.isFetching} />
            </>
          )
        }
      </Loaded>
      {editing && <QueueSettingsDialog queue={editing} onClose={() => setEditing(null)} />}
      {editingBreaker && <BreakerSettingsDialog queue={editingBreaker} onClose={() => setEditingBreaker(null)} />}
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { queries } from '../api/queries';
import { ListPager, useListPages } from '../components/Pager';
import { Empty, ErrorBox, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCan } from '../lib/auth';
import { fmtAgo, fmtInt, fmtMs, fmtTime } from '../lib/format';
import { useWrite } from '../lib/queries';

function Cycles({ name }: { name: string }) {
  const q = useQuery(queries.cycles(name));
  return (
    <Loaded query={q} label="Loading cycles">
      {({ items }) =>
        items.length === 0 ? (
          <Empty>No cycle recorded yet.</Empty>
        ) : (
          <table>
            <caption className="sr-only">Recent cycles of {name}</caption>
            <thead>
              <tr>
                <th scope="col">Tick</th>
                <th scope="col">Source</th>
                <th scope="col">Status</th>
                <th scope="col">Outcome</th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Job</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={`${c.tickAt}-${c.source}`}>
                  <td>{fmtTime(c.tickAt)}</td>
                  <td>{c.source}</td>
                  <td>
                    <span className={`badge ${c.status}`}>{c.status}</span>
                  </td>
                  <td>{c.outcome ?? '–'}</td>
                  <td className="num">{fmtMs(c.durationMs)}</td>
                  <td>{c.jobId ? <a href={`#/jobs/${c.jobId}`}>{c.jobId}</a> : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Loaded>
  );
}

function SchedulerState() {
  const canWrite = useCan('operator');
  const q = useQuery(queries.scheduler());
  const write = useWrite(
    (pause: boolean): Promise<unknown> => (pause ? unwrap(api.POST('/api/scheduler/pause')) : unwrap(api.POST('/api/scheduler/resume'))),
  );
  return (
    <div className="actions">
      <Loaded query={q} label="Scheduler">
        {(s) => (
          <>
            <span>
              Schedulers: {s.paused ? <span className="badge paused">paused</span> : <span className="badge ok">running</span>}{' '}
              <span className="muted">
                {s.enabled} of {s.schedules} enabled, last evaluation {fmtAgo(s.lastEvaluationAt)}
                {s.lagMs > 5_000 ? `, ${fmtMs(s.lagMs)} behind` : ''}
              </span>
            </span>
            {canWrite && (
              <button type="button" className="btn small" disabled={write.isPending} onClick={() => write.mutate(!s.paused)}>
                {s.paused ? 'Resume all schedulers' : 'Pause all schedulers'}
              </button>
            )}
          </>
        )}
      </Loaded>
      {write.error && <ErrorBox error={write.error} title="Failed" />}
    </div>
  );
}

export function SchedulesPage() {
  const canWrite = useCan('operator');
  const [open, setOpen] = useState<string | null>(null);
  const { size, pages } = useListPages();
  const q = useQuery(queries.schedules(pages.cursor, size));
  const write = useWrite(({ name, action }: { name: string; action: 'enable' | 'disable' | 'trigger' }): Promise<unknown> => {
    const params = { path: { name } };
    if (action === 'trigger') return unwrap(api.POST('/api/schedules/{name}/trigger', { params }));
    if (action === 'enable') return unwrap(api.POST('/api/schedules/{name}/enable', { params }));
    return unwrap(api.POST('/api/schedules/{name}/disable', { params }));
  });

  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">Schedules</h1>
        <SchedulerState />
      </div>
      {write.error && <ErrorBox error={write.error} title="Failed" />}
      <Loaded query={q} label="Loading schedules">
        {({ items, nextCursor }) =>
          items.length === 0 ? (
            <Empty>No schedules.</Empty>
          ) : (
            <>
              <TableWrap label="Cron schedules">
                <table>
                  <caption className="sr-only">Cron schedules</caption>
                  <thead>
                    <tr>
                      <th scope="col">Schedule</th>
                      <th scope="col">Cron</th>
                      <th scope="col">Queue</th>
                      <th scope="col">Next run</th>
                      <th scope="col">Last run</th>
                      <th scope="col" className="num">
                        Success
                      </th>
                      <th scope="col" className="num">
                        Mean / p95
                      </th>
                      <th scope="col" className="num">
                        Missed
                      </th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((s) => (
                      <tr key={s.name} data-schedule={s.name}>
                        <th scope="row">
                          {s.name} {!s.enabled && <span className="badge paused">disabled</span>}
                        </th>
                        <td className="mono">
                          {s.cron} <span className="muted">{s.timeZone}</span>
                        </td>
                        <td>{s.queue}</td>
                        <td title={fmtTime(s.nextRunAt)}>{fmtAgo(s.nextRunAt)}</td>
                        <td title={fmtTime(s.status?.lastRun?.tickAt)}>
                          {s.status?.lastRun
                            ? `${fmtAgo(s.status.lastRun.tickAt)} (${s.status.lastRun.outcome ?? s.status.lastRun.status})`
                            : '–'}
                        </td>
                        <td className="num">{s.status?.successRate == null ? '–' : `${(s.status.successRate * 100).toFixed(0)}%`}</td>
                        <td className="num">
                          {fmtMs(s.status?.meanDurationMs)} / {fmtMs(s.status?.p95DurationMs)}
                        </td>
                        <td className="num">{fmtInt(s.status?.missedTotal ?? 0)}</td>
                        <td>
                          <div className="actions">
                            <button
                              type="button"
                              className="btn small"
                              aria-expanded={open === s.name}
                              onClick={() => setOpen(open === s.name ? null : s.name)}
                            >
                              Cycles<span className="sr-only"> of {s.name}</span>
                            </button>
                            {canWrite && (
                              <>
                                <button
                                  type="button"
                                  className="btn small"
                                  onClick={() => write.mutate({ name: s.name, action: 'trigger' })}
                                >
                                  Trigger now<span className="sr-only"> {s.name}</span>
                                </button>
                                <button
                                  type="button"
                                  className="btn small"
                                  onClick={() => write.mutate({ name: s.name, action: s.enabled ? 'disable' : 'enable' })}
                                >
                                  {s.enabled ? 'Disable' : 'Enable'}
                                  <span className="sr-only"> {s.name}</span>
                                </button>
                              </>
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
      {open && (
        <section className="card" style={{ marginTop: '1rem' }} aria-label={`Cycles of ${open}`}>
          <h2 style={{ marginTop: 0 }}>Cycles of {open}</h2>
          <Cycles name={open} />
        </section>
      )}
    </section>
  );
}

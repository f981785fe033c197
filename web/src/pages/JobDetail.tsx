import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, unwrap } from '../api/client';
import { queries } from '../api/queries';
import { Code } from '../components/Code';
import { Dialog } from '../components/Dialog';
import { ErrorBox, Loaded } from '../components/Status';
import { useCan } from '../lib/auth';
import { fmtJson, fmtMs, fmtTime } from '../lib/format';
import { useWrite } from '../lib/queries';
import { navigate } from '../lib/router';

type Action = 'retry' | 'cancel' | 'delete';

function act(action: Action, id: string) {
  const params = { path: { id } };
  if (action === 'retry') return unwrap(api.POST('/api/jobs/{id}/retry', { params }));
  if (action === 'cancel') return unwrap(api.POST('/api/jobs/{id}/cancel', { params }));
  return unwrap(api.DELETE('/api/jobs/{id}', { params }));
}

function JobActions({ id, state }: { id: string; state: string }) {
  const write = useWrite((a: Action): Promise<unknown> => act(a, id));
  const [confirmDelete, setConfirmDelete] = useState(false);
  const finished = state === 'completed' || state === 'dead' || state === 'cancelled';
  return (
    <>
      <div className="actions">
        <button type="button" className="btn primary" disabled={write.isPending || !finished} onClick={() => write.mutate('retry')}>
          Retry
        </button>
        <button type="button" className="btn" disabled={write.isPending || finished} onClick={() => write.mutate('cancel')}>
          Cancel
        </button>
        <button type="button" className="btn danger" disabled={write.isPending} onClick={() => setConfirmDelete(true)}>
          Delete…
        </button>
      </div>
      {write.error && <ErrorBox error={write.error} title="Failed" />}
      <Dialog open={confirmDelete} onClose={() => setConfirmDelete(false)} title={`Delete job ${id}?`}>
        <p>The job and its history are removed for good.</p>
        <div className="actions">
          <button
            type="button"
            className="btn danger"
            onClick={() =>
              write.mutate('delete', {
                onSuccess: () => {
                  setConfirmDelete(false);
                  navigate('#/jobs');
                },
              })
            }
          >
            Delete job {id}
          </button>
          <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </>
  );
}

export function JobDetailPage({ id }: { id: string }) {
  const canWrite = useCan('operator');
  const q = useQuery(queries.job(id));
  if (q.error instanceof ApiError && q.error.status === 404) {
    return (
      <section>
        <h1>Job {id}</h1>
        <p>No such job (or it belongs to a tenant this token cannot see).</p>
        <a href="#/jobs">All jobs</a>
      </section>
    );
  }
  return (
    <section>
      <p>
        <a href="#/jobs">← Jobs</a>
      </p>
      <Loaded query={q} label="Loading the job">
        {(job) => (
          <>
            <div className="toolbar">
              <h1 className="grow">
                Job {job.id} <span className={`badge ${job.state}`}>{job.state}</span>
              </h1>
              {canWrite && <JobActions id={job.id} state={job.state} />}
            </div>
            <div className="grid">
              <div className="card">
                <dl className="kv">
                  <dt>Queue</dt>
                  <dd>
                    <a href={`#/jobs?queue=${encodeURIComponent(job.queue)}`}>{job.queue}</a>
                  </dd>
                  <dt>Tenant</dt>
                  <dd>{job.tenant}</dd>
                  <dt>Priority</dt>
                  <dd>{job.priority}</dd>
                  <dt>Attempt</dt>
                  <dd>
                    {job.attempt} of {job.maxAttempts}
                  </dd>
                  <dt>Created</dt>
                  <dd>{fmtTime(job.createdAt)}</dd>
                  <dt>Run at</dt>
                  <dd>{fmtTime(job.runAt)}</dd>
                  <dt>Finished</dt>
                  <dd>{fmtTime(job.finishedAt)}</dd>
                  <dt>Progress</dt>
                  <dd>{job.progress === null || job.progress === undefined ? '–' : fmtJson(job.progress)}</dd>
                </dl>
              </div>
              <div className="card">
                <h2 style={{ marginTop: 0 }}>Payload</h2>
                <Code>{fmtJson(job.payload)}</Code>
                <h2>Result</h2>
                <Code>{job.result === null || job.result === undefined ? '–' : fmtJson(job.result)}</Code>
              </div>
            </div>
            <h2>Attempts</h2>
            {job.attempts.length === 0 ? (
              <p className="empty">No attempt has finished yet.</p>
            ) : (
              <ol className="attempts">
                {job.attempts.map((a, i) => (
                  // A retried job counts its attempts from 1 again: the position is the key.
                  // biome-ignore lint/suspicious/noArrayIndexKey: attempts are append-only, never reordered
                  <li key={i} className="card">
                    <strong>Attempt {a.attempt}</strong> <span className={`badge ${a.outcome}`}>{a.outcome}</span>{' '}
                    <span className="muted">
                      on {a.worker ?? 'unknown worker'}, {fmtTime(a.startedAt)}
                      {a.startedAt ? `, ran ${fmtMs(new Date(a.endedAt).getTime() - new Date(a.startedAt).getTime())}` : ''}
                    </span>
                    {a.error && (
                      <>
                        <p className="field-error">
                          {a.error.name ? `${a.error.name}: ` : ''}
                          {a.error.message}
                        </p>
                        {a.error.stack && (
                          <details>
                            <summary>Stack</summary>
                            <Code>{a.error.stack}</Code>
                          </details>
                        )}
                      </>
                    )}
                  </li>
                ))}
              </ol>
            )}
            <h2>Logs</h2>
            {job.logs.length === 0 ? (
              <p className="empty">No log lines.</p>
            ) : (
              <Code>
                {job.logs
                  .map((l) => `${l.at} ${l.level.padEnd(5)} ${l.msg}${l.data === undefined ? '' : ` ${JSON.stringify(l.data)}`}`)
                  .join('\n')}
              </Code>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

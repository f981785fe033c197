import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { ErrorBox } from '../../components/Status';
import { fmtInt } from '../../lib/format';
import { useWrite } from '../../lib/queries';
import type { JobFilter } from './filter';

type Action = 'retry' | 'cancel' | 'delete';
const VERB: Record<Action, [string, string]> = {
  retry: ['Retry', 'retried'],
  cancel: ['Cancel', 'cancelled'],
  delete: ['Delete', 'deleted'],
};

function bulk(action: Action, filter: JobFilter, dryRun: boolean) {
  const body = { filter, dryRun } as never;
  if (action === 'retry') return unwrap(api.POST('/api/jobs/bulk/retry', { body }));
  if (action === 'cancel') return unwrap(api.POST('/api/jobs/bulk/cancel', { body }));
  return unwrap(api.POST('/api/jobs/bulk/delete', { body }));
}

/**
 * Bulk retry / cancel / delete of everything the filter matches. The count comes first
 * (a dry run), the write only after the operator confirms that number.
 */
export function BulkActions({ filter }: { filter: JobFilter }) {
  const [step, setStep] = useState<{ action: Action; count?: number; done?: number } | null>(null);
  const count = useWrite((a: Action) => bulk(a, filter, true));
  const run = useWrite((a: Action) => bulk(a, filter, false));

  const start = (action: Action) => {
    setStep({ action });
    run.reset();
    count.mutate(action, { onSuccess: (r) => setStep({ action, count: r.count }) });
  };
  const confirm = () => {
    if (!step) return;
    run.mutate(step.action, { onSuccess: (r) => setStep({ ...step, done: r.count }) });
  };
  const close = () => setStep(null);
  const [verb, past] = step ? VERB[step.action] : ['', ''];

  return (
    <>
      <fieldset className="actions plain">
        <legend className="sr-only">Bulk actions on the filter</legend>
        {(Object.keys(VERB) as Action[]).map((a) => (
          <button key={a} type="button" className={`btn${a === 'delete' ? ' danger' : ''}`} onClick={() => start(a)}>
            {VERB[a][0]} matching…
          </button>
        ))}
      </fieldset>
      <Dialog open={step !== null} onClose={close} title={`${verb} jobs matching the filter`}>
        {step && count.isPending && <p>Counting the jobs that match…</p>}
        {count.error && <ErrorBox error={count.error} title="Could not count" />}
        {step?.count !== undefined && step.done === undefined && (
          <>
            <p data-testid="bulk-count">
              {step.count === 0
                ? 'No job matches this filter.'
                : `${fmtInt(step.count)} job${step.count === 1 ? '' : 's'} match this filter.`}
            </p>
            {run.error && <ErrorBox error={run.error} title="Failed" />}
            <div className="actions">
              {step.count > 0 && (
                <button
                  type="button"
                  className={`btn ${step.action === 'delete' ? 'danger' : 'primary'}`}
                  disabled={run.isPending}
                  onClick={confirm}
                >
                  {run.isPending ? 'Working…' : `${verb} ${fmtInt(step.count)} job${step.count === 1 ? '' : 's'}`}
                </button>
              )}
              <button type="button" className="btn" onClick={close}>
                {step.count > 0 ? 'Keep them' : 'Close'}
              </button>
            </div>
          </>
        )}
        {step?.done !== undefined && (
          <>
            <p role="status" data-testid="bulk-done">
              {fmtInt(step.done)} job{step.done === 1 ? '' : 's'} {past}.
            </p>
            <button type="button" className="btn" onClick={close}>
              Close
            </button>
          </>
        )}
      </Dialog>
    </>
  );
}

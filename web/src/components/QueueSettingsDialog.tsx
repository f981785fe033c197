import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { useWrite } from '../lib/queries';
import * as v from '../lib/validate';
import type { Queue } from '../pages/queue-model';
import { Dialog } from './Dialog';
import { DialogActions, showWriteError } from './DialogActions';
import { Field } from './Field';
import { RateField, rateDraft } from './RateField';

const str = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

/** Configure a queue's limits and rates; every field's error shows beside it, nothing is sent while one is wrong. */
export function QueueSettingsDialog({ queue, onClose }: { queue: Queue; onClose: () => void }) {
  const s = queue;
  const [concurrency, setConcurrency] = useState(str(s.concurrency));
  const [tenantConcurrency, setTenantConcurrency] = useState(str(s.tenantConcurrency));
  const [agingMs, setAgingMs] = useState(str(s.agingMs));
  const [rate, setRate] = useState(rateDraft(s.rate));
  const [tenantRate, setTenantRate] = useState(rateDraft(s.tenantRate));
  const [retry, setRetry] = useState({
    maxAttempts: str(s.retry.maxAttempts),
    baseMs: str(s.retry.baseMs),
    maxMs: str(s.retry.maxMs),
    jitter: str(s.retry.jitter),
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const save = useWrite((body: Record<string, unknown>) =>
    unwrap(api.PATCH('/api/queues/{queue}', { params: { path: { queue: queue.queue } }, body: body as never })),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const c = v.optionalInt(concurrency, 0);
    const tc = v.optionalInt(tenantConcurrency, 0);
    const ag = v.optionalInt(agingMs, 1);
    if ('error' in c) errs.concurrency = c.error;
    if ('error' in tc) errs.tenantConcurrency = tc.error;
    if ('error' in ag) errs.agingMs = ag.error;
    const r = v.rate(rate, 'rate', errs);
    const tr = v.rate(tenantRate, 'tenantRate', errs);
    const ma = v.optionalInt(retry.maxAttempts, 1, 1_000);
    const base = v.optionalInt(retry.baseMs, 0, 2_147_483_647);
    const max = v.optionalInt(retry.maxMs, 0, 2_147_483_647);
    const jit = v.optionalNumber(retry.jitter, { min: 0, max: 1 });
    if ('error' in ma) errs['retry.maxAttempts'] = ma.error;
    if ('error' in base) errs['retry.baseMs'] = base.error;
    if ('error' in max) errs['retry.maxMs'] = max.error;
    if ('error' in jit) errs['retry.jitter'] = jit.error;
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    const body = {
      concurrency: 'value' in c ? c.value : null,
      tenantConcurrency: 'value' in tc ? tc.value : null,
      agingMs: 'value' in ag ? ag.value : null,
      rate: r,
      tenantRate: tr,
      retry: {
        maxAttempts: 'value' in ma ? ma.value : null,
        baseMs: 'value' in base ? base.value : null,
        maxMs: 'value' in max ? max.value : null,
        jitter: 'value' in jit ? jit.value : null,
      },
    };
    save.mutate(body, {
      onSuccess: onClose,
      onError: (err) => showWriteError(err, setErrors, setFormError),
    });
  };

  return (
    <Dialog open onClose={onClose} title={`Configure ${queue.queue}`}>
      <form onSubmit={submit} noValidate className="grid" style={{ gridTemplateColumns: '1fr', gap: '0.5rem' }}>
        <Field
          label="Concurrency"
          error={errors.concurrency}
          hint="most jobs running at once across every process; empty: no cap; 0 holds the queue"
        >
          {(p) => (
            <input {...p} name="concurrency" inputMode="numeric" value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
          )}
        </Field>
        <Field label="Per-tenant concurrency" error={errors.tenantConcurrency} hint="for tenants without their own limit; empty: no cap">
          {(p) => (
            <input
              {...p}
              name="tenantConcurrency"
              inputMode="numeric"
              value={tenantConcurrency}
              onChange={(e) => setTenantConcurrency(e.target.value)}
            />
          )}
        </Field>
        <RateField label="Queue rate" value={rate} onChange={setRate} errors={v.sub(errors, 'rate')} />
        <RateField label="Tenant rate" value={tenantRate} onChange={setTenantRate} errors={v.sub(errors, 'tenantRate')} />
        <Field label="Aging (ms)" error={errors.agingMs} hint="lower priorities waiting this long compete one tier higher; empty: off">
          {(p) => <input {...p} name="agingMs" inputMode="numeric" value={agingMs} onChange={(e) => setAgingMs(e.target.value)} />}
        </Field>
        <fieldset className="field-group">
          <legend>Retry policy</legend>
          <p className="hint">
            Stored for the queue, over the workers' code: an empty field is not set, so work()'s retry option (or rota's defaultMaxAttempts)
            applies. Workers pick a change up within one heartbeat.
          </p>
          <RetryField
            label="Max attempts"
            name="maxAttempts"
            hint="for jobs enqueued from now on without their own maxAttempts (1 to 1000)"
            draft={retry}
            setDraft={setRetry}
            errors={errors}
          />
          <RetryField
            label="First retry delay (ms)"
            name="baseMs"
            hint="delay before the second attempt; it doubles with each further attempt"
            draft={retry}
            setDraft={setRetry}
            errors={errors}
          />
          <RetryField
            label="Longest retry delay (ms)"
            name="maxMs"
            hint="cap of the doubling delay; equal to the first: a fixed delay"
            draft={retry}
            setDraft={setRetry}
            errors={errors}
          />
          <RetryField
            label="Retry jitter"
            name="jitter"
            hint="fraction of each delay drawn at random, 0 to 1, so jobs failing together do not retry together"
            draft={retry}
            setDraft={setRetry}
            errors={errors}
          />
        </fieldset>
        <DialogActions error={formError} pending={save.isPending} label="Save" pendingLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

type RetryDraft = { maxAttempts: string; baseMs: string; maxMs: string; jitter: string };

function RetryField(props: {
  label: string;
  name: keyof RetryDraft;
  hint: string;
  draft: RetryDraft;
  setDraft: (d: RetryDraft) => void;
  errors: Record<string, string>;
}) {
  const { name, draft } = props;
  return (
    <Field label={props.label} error={props.errors[`retry.${name}`]} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          name={`retry.${name}`}
          inputMode={name === 'jitter' ? 'decimal' : 'numeric'}
          value={draft[name]}
          onChange={(e) => props.setDraft({ ...draft, [name]: e.target.value })}
        />
      )}
    </Field>
  );
}

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
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    const body = {
      concurrency: 'value' in c ? c.value : null,
      tenantConcurrency: 'value' in tc ? tc.value : null,
      agingMs: 'value' in ag ? ag.value : null,
      rate: r,
      tenantRate: tr,
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
        <DialogActions error={formError} pending={save.isPending} label="Save" pendingLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

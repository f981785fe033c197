import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { Dialog } from '../components/Dialog';
import { DialogActions, showWriteError } from '../components/DialogActions';
import { Field } from '../components/Field';
import { RateField, rateDraft } from '../components/RateField';
import { useWrite } from '../lib/queries';
import * as v from '../lib/validate';
import type { Tenant } from './Tenants';

/** A tenant's weight, concurrency and rate; each field's error beside it. */
export function TenantSettingsDialog({ queue, tenant, onClose }: { queue: string; tenant: Tenant; onClose: () => void }) {
  const [weight, setWeight] = useState(String(tenant.weight));
  const [concurrency, setConcurrency] = useState(tenant.concurrency === null ? '' : String(tenant.concurrency));
  const [rate, setRate] = useState(rateDraft(tenant.rate));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useWrite((body: Record<string, unknown>) =>
    unwrap(api.PATCH('/api/queues/{queue}/tenants/{tenant}', { params: { path: { queue, tenant: tenant.tenant } }, body: body as never })),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const w = v.requiredInt(weight, 1, 10_000);
    const c = v.optionalInt(concurrency, 0);
    if ('error' in w) errs.weight = w.error;
    if ('error' in c) errs.concurrency = c.error;
    const r = v.rate(rate, 'rate', errs);
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    save.mutate(
      { weight: (w as { value: number }).value, concurrency: (c as { value: number | null }).value, rate: r },
      {
        onSuccess: onClose,
        onError: (err) => showWriteError(err, setErrors, setFormError),
      },
    );
  };

  return (
    <Dialog open onClose={onClose} title={`Configure tenant ${tenant.tenant} of ${queue}`}>
      <form onSubmit={submit} noValidate className="grid" style={{ gridTemplateColumns: '1fr', gap: '0.5rem' }}>
        <Field label="Weight" error={errors.weight} hint="turns per round relative to the queue's other tenants (1 to 10,000)">
          {(p) => <input {...p} name="weight" inputMode="numeric" value={weight} onChange={(e) => setWeight(e.target.value)} />}
        </Field>
        <Field
          label="Concurrency"
          error={errors.concurrency}
          hint="most of its jobs running at once; empty: the queue's per-tenant default; 0 holds the tenant"
        >
          {(p) => (
            <input {...p} name="concurrency" inputMode="numeric" value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
          )}
        </Field>
        <RateField label="Rate" value={rate} onChange={setRate} errors={v.sub(errors, 'rate')} />
        <DialogActions error={formError} pending={save.isPending} label="Save" pendingLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

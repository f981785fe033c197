import { type FormEvent, useState } from 'react';
import { ApiError, api, unwrap } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { DialogActions } from '../../components/DialogActions';
import { Field } from '../../components/Field';
import { errorText } from '../../components/Status';
import { useMe } from '../../lib/auth';
import { useWrite } from '../../lib/queries';
import { navigate } from '../../lib/router';
import * as v from '../../lib/validate';
import { PRIORITIES } from './filter';

/** Enqueue one job; the payload is checked as JSON before anything is sent. */
export function EnqueueDialog({ onClose, queue: initialQueue }: { onClose: () => void; queue?: string }) {
  const me = useMe();
  const [queue, setQueue] = useState(initialQueue ?? '');
  const [tenant, setTenant] = useState(me.tenant ?? '');
  const [priority, setPriority] = useState('normal');
  const [delayMs, setDelayMs] = useState('');
  const [payload, setPayload] = useState('{}');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const send = useWrite((body: Record<string, unknown>) => unwrap(api.POST('/api/jobs', { body: body as never })));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const q = v.name(queue);
    if ('error' in q) errs.queue = q.error;
    const t = tenant.trim() === '' ? null : v.name(tenant);
    if (t && 'error' in t) errs.tenant = t.error;
    const d = v.optionalInt(delayMs, 0);
    if ('error' in d) errs.delayMs = d.error;
    const p = v.parseJson(payload);
    if ('error' in p) errs.payload = p.error;
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    const body: Record<string, unknown> = { queue: (q as { value: string }).value, payload: (p as { value: unknown }).value, priority };
    if (t) body.tenant = (t as { value: string }).value;
    if ('value' in d && d.value !== null) body.delayMs = d.value;
    send.mutate(body, {
      onSuccess: (r) => {
        onClose();
        navigate(`#/jobs/${encodeURIComponent(r.id)}`);
      },
      onError: (err) => {
        const field = err instanceof ApiError ? v.normaliseField(err.field) : undefined;
        if (field && ['queue', 'tenant', 'priority', 'delayMs', 'payload'].includes(field.split('.')[0] ?? ''))
          setErrors({ [field.split('.')[0]!]: err.message });
        else setFormError(errorText(err));
      },
    });
  };

  return (
    <Dialog open onClose={onClose} title="Enqueue a job">
      <form onSubmit={submit} noValidate className="grid" style={{ gridTemplateColumns: '1fr', gap: '0.5rem' }}>
        <Field label="Queue" error={errors.queue}>
          {(p) => <input {...p} name="queue" value={queue} onChange={(e) => setQueue(e.target.value)} />}
        </Field>
        <Field label="Tenant" error={errors.tenant} hint={me.tenant ? 'your token is scoped to this tenant' : "empty: 'default'"}>
          {(p) => <input {...p} name="tenant" value={tenant} readOnly={me.tenant !== null} onChange={(e) => setTenant(e.target.value)} />}
        </Field>
        <Field label="Priority" error={errors.priority}>
          {(p) => (
            <select {...p} name="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
              {PRIORITIES.map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Delay (ms)" error={errors.delayMs} hint="empty: run as soon as possible">
          {(p) => <input {...p} name="delayMs" inputMode="numeric" value={delayMs} onChange={(e) => setDelayMs(e.target.value)} />}
        </Field>
        <Field label="Payload (JSON)" error={errors.payload}>
          {(p) => <textarea {...p} name="payload" value={payload} onChange={(e) => setPayload(e.target.value)} spellCheck={false} />}
        </Field>
        <DialogActions error={formError} pending={send.isPending} label="Enqueue" pendingLabel="Enqueueing…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

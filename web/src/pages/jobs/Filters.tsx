import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/Field';
import { FILTER_KEYS, PRIORITIES, STATES } from './filter';

type Draft = Record<(typeof FILTER_KEYS)[number], string>;

function draftOf(params: URLSearchParams): Draft {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as Draft;
}

/**
 * The filter form. What is applied lives in the URL (so a filtered view can be shared);
 * the form edits a draft and applies it on submit.
 */
export function JobFilters({
  params,
  errors,
  onApply,
  hideTenant,
}: {
  params: URLSearchParams;
  errors: Record<string, string>;
  onApply: (d: Record<string, string>) => void;
  hideTenant: boolean;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(params));
  const key = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-sync the draft only when the URL changes (back/forward, links)
  useEffect(() => setDraft(draftOf(params)), [key]);
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const clear = () => onApply(Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])));

  return (
    <form className="card filters" onSubmit={submit} aria-label="Job filters">
      <div className="filter-grid">
        <Field label="Queue" error={errors.queue}>
          {(p) => <input {...p} name="queue" value={draft.queue} onChange={set('queue')} />}
        </Field>
        {!hideTenant && (
          <Field label="Tenant" error={errors.tenant}>
            {(p) => <input {...p} name="tenant" value={draft.tenant} onChange={set('tenant')} />}
          </Field>
        )}
        <Field label="State" error={errors.state}>
          {(p) => (
            <select {...p} name="state" value={draft.state} onChange={set('state')}>
              <option value="">any</option>
              {STATES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Priority" error={errors.priority}>
          {(p) => (
            <select {...p} name="priority" value={draft.priority} onChange={set('priority')}>
              <option value="">any</option>
              {PRIORITIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From" error={errors.from} hint="created (live jobs) or finished at or after">
          {(p) => <input {...p} name="from" type="datetime-local" value={draft.from} onChange={set('from')} />}
        </Field>
        <Field label="To" error={errors.to}>
          {(p) => <input {...p} name="to" type="datetime-local" value={draft.to} onChange={set('to')} />}
        </Field>
        <Field
          wide
          label="Payload"
          error={errors.payload}
          hint='a JSON fragment ({"customer":{"id":42}}) or path = value (customer.id = 42)'
        >
          {(p) => <input {...p} name="payload" className="mono" value={draft.payload} onChange={set('payload')} />}
        </Field>
      </div>
      <div className="actions">
        <button type="submit" className="btn primary">
          Apply filters
        </button>
        <button type="button" className="btn" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}

import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { useWrite } from '../lib/queries';
import * as v from '../lib/validate';
import type { Queue } from '../pages/queue-model';
import { Dialog } from './Dialog';
import { DialogActions, showWriteError } from './DialogActions';
import { Field } from './Field';

const INT_MAX = 2_147_483_647;

type Key = 'failureRatio' | 'minCalls' | 'windowMs' | 'cooldownMs' | 'maxCooldownMs' | 'probes' | 'probeTimeoutMs';

/**
 * The fields, the server's rules (src/resilience/breaker-admin.ts) and its defaults
 * (0004_resilience.sql), so a wrong value is named before anything is sent.
 */
const FIELDS: ReadonlyArray<{
  key: Key;
  label: string;
  hint: string;
  range: { gt?: number; min?: number; max?: number };
  int: boolean;
  fallback: number;
}> = [
  {
    key: 'failureRatio',
    label: 'Failure ratio',
    hint: 'opens when at least this fraction of the window’s calls failed (more than 0, at most 1)',
    range: { gt: 0, max: 1 },
    int: false,
    fallback: 0.5,
  },
  {
    key: 'minCalls',
    label: 'Minimum calls',
    hint: '…and the window holds at least this many calls',
    range: { min: 1, max: 1_000_000 },
    int: true,
    fallback: 20,
  },
  {
    key: 'windowMs',
    label: 'Window (ms)',
    hint: 'rolling window the ratio is taken over; at least 1000',
    range: { min: 1_000, max: INT_MAX },
    int: true,
    fallback: 10_000,
  },
  {
    key: 'cooldownMs',
    label: 'Cool-down (ms)',
    hint: 'first wait while open before probing; doubles after each failed probe round',
    range: { min: 100, max: INT_MAX },
    int: true,
    fallback: 10_000,
  },
  {
    key: 'maxCooldownMs',
    label: 'Longest cool-down (ms)',
    hint: 'cap of the growing cool-down; at least the cool-down',
    range: { min: 100, max: INT_MAX },
    int: true,
    fallback: 600_000,
  },
  {
    key: 'probes',
    label: 'Probes',
    hint: 'jobs let through while half-open, cluster-wide; that many successes close it',
    range: { min: 1, max: 1_000 },
    int: true,
    fallback: 1,
  },
  {
    key: 'probeTimeoutMs',
    label: 'Probe timeout (ms)',
    hint: 'a probe round whose results never arrive is restarted after this',
    range: { min: 100, max: INT_MAX },
    int: true,
    fallback: 60_000,
  },
];

/**
 * A queue's circuit-breaker thresholds (PATCH /api/breakers/queue:<name>): creates the
 * breaker when the queue has none. Every field's error shows beside it; the server's
 * 400 lands beside the field it names.
 */
export function BreakerSettingsDialog({ queue, onClose }: { queue: Queue; onClose: () => void }) {
  const b = queue.breaker;
  const [draft, setDraft] = useState<Record<Key, string>>(
    () => Object.fromEntries(FIELDS.map((f) => [f.key, String(b ? b[f.key] : f.fallback)])) as Record<Key, string>,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useWrite((body: Partial<Record<Key, number>>) =>
    unwrap(api.PATCH('/api/breakers/{name}', { params: { path: { name: `queue:${queue.queue}` } }, body })),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const body: Partial<Record<Key, number>> = {};
    for (const f of FIELDS) {
      const r = f.int ? v.requiredInt(draft[f.key], f.range.min ?? 0, f.range.max) : v.optionalNumber(draft[f.key], f.range);
      if ('error' in r) errs[f.key] = r.error;
      else if (r.value === null) errs[f.key] = 'required';
      else body[f.key] = r.value;
    }
    // The one rule across fields (longest cool-down ≥ cool-down) is the server's: its
    // 400 names maxCooldownMs and the message lands beside that field.
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    save.mutate(body, { onSuccess: onClose, onError: (err) => showWriteError(err, setErrors, setFormError) });
  };

  return (
    <Dialog open onClose={onClose} title={`Circuit breaker of ${queue.queue}`}>
      {!b && <p className="hint">This queue has no breaker yet: saving creates one with these settings (closed, automatic).</p>}
      <form onSubmit={submit} noValidate className="grid" style={{ gridTemplateColumns: '1fr', gap: '0.5rem' }}>
        {FIELDS.map((f) => (
          <Field key={f.key} label={f.label} error={errors[f.key]} hint={f.hint}>
            {(p) => (
              <input
                {...p}
                name={f.key}
                inputMode={f.int ? 'numeric' : 'decimal'}
                value={draft[f.key]}
                onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
              />
            )}
          </Field>
        ))}
        <DialogActions error={formError} pending={save.isPending} label="Save" pendingLabel="Saving…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

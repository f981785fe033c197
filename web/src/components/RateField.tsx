import { Field } from './Field';

export interface RateDraft {
  limit: string;
  periodMs: string;
  burst: string;
}

export const emptyRate: RateDraft = { limit: '', periodMs: '60000', burst: '' };

export function rateDraft(r: { limit: number; periodMs: number; burst?: number } | null | undefined): RateDraft {
  return r ? { limit: String(r.limit), periodMs: String(r.periodMs), burst: r.burst === undefined ? '' : String(r.burst) } : emptyRate;
}

/** A token-bucket rate limit: jobs per period, and an optional burst. Empty limit = no limit. */
export function RateField({
  label,
  value,
  onChange,
  errors,
}: {
  label: string;
  value: RateDraft;
  onChange: (v: RateDraft) => void;
  errors: { limit?: string; periodMs?: string; burst?: string };
}) {
  return (
    <>
      <Field label={`${label}: jobs`} error={errors.limit} hint="per period; empty for no limit">
        {(p) => <input {...p} inputMode="numeric" value={value.limit} onChange={(e) => onChange({ ...value, limit: e.target.value })} />}
      </Field>
      <Field label={`${label}: period (ms)`} error={errors.periodMs}>
        {(p) => (
          <input {...p} inputMode="numeric" value={value.periodMs} onChange={(e) => onChange({ ...value, periodMs: e.target.value })} />
        )}
      </Field>
      <Field
        label={`${label}: burst`}
        error={errors.burst}
        hint="jobs that may start at once after a quiet spell (default: one second's worth)"
      >
        {(p) => <input {...p} inputMode="numeric" value={value.burst} onChange={(e) => onChange({ ...value, burst: e.target.value })} />}
      </Field>
    </>
  );
}

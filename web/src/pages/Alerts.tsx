import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, type Reply, unwrap } from '../api/client';
import { queries } from '../api/queries';
import { Field } from '../components/Field';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, ErrorBox, errorText, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCan } from '../lib/auth';
import { fmtAgo, fmtTime } from '../lib/format';
import { useWrite } from '../lib/queries';
import { useSearchState } from '../lib/router';

function AlertList({ state }: { state: 'active' | 'resolved' }) {
  const canWrite = useCan('operator');
  const pages = useCursorPages(state);
  const q = useQuery(queries.alerts(state, pages.cursor));
  const resolve = useWrite(
    (a: { id: string } | { type: string }): Promise<unknown> =>
      'id' in a
        ? unwrap(api.POST('/api/alerts/{id}/resolve', { params: { path: { id: a.id } } }))
        : unwrap(api.POST('/api/alerts/resolve', { body: { type: a.type } as never })),
  );
  const clear = useWrite(() => unwrap(api.DELETE('/api/alerts')));

  return (
    <Loaded query={q} label="Loading alerts">
      {(page) => (
        <>
          {resolve.error && <ErrorBox error={resolve.error} title="Could not resolve" />}
          {page.items.length === 0 ? (
            <Empty>{state === 'active' ? 'No active alert.' : 'No resolved alert kept.'}</Empty>
          ) : (
            <TableWrap label={`${state} alerts`}>
              <table>
                <caption className="sr-only">{state} alerts</caption>
                <thead>
                  <tr>
                    <th scope="col">Severity</th>
                    <th scope="col">Type</th>
                    <th scope="col">Message</th>
                    <th scope="col">Fired</th>
                    {state === 'resolved' && <th scope="col">Resolved</th>}
                    {canWrite && state === 'active' && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((a) => (
                    <tr key={a.id ?? `${a.type}|${a.subject}`} data-alert={a.type}>
                      <td>
                        <span className={`badge ${a.severity}`}>{a.severity}</span>
                      </td>
                      <td className="mono">{a.type}</td>
                      <td className="wrap">
                        {a.message} <span className="muted">({a.subject})</span>
                      </td>
                      <td title={`first ${fmtTime(a.firstSeen)}, last ${fmtTime(a.lastSeen)}`}>
                        {fmtAgo(a.firstSeen)}
                        {a.count > 1 ? ` · ${a.count}×` : ''}
                      </td>
                      {state === 'resolved' && (
                        <td title={fmtTime(a.resolvedAt)}>
                          {fmtAgo(a.resolvedAt)}
                          {a.resolvedBy ? ` by ${a.resolvedBy}` : ''}
                        </td>
                      )}
                      {canWrite && state === 'active' && (
                        <td>
                          <div className="actions">
                            {a.id !== null && (
                              <button type="button" className="btn small" onClick={() => a.id !== null && resolve.mutate({ id: a.id })}>
                                Resolve<span className="sr-only"> {a.type}</span>
                              </button>
                            )}
                            <button type="button" className="btn small" onClick={() => resolve.mutate({ type: a.type })}>
                              Resolve all {a.type}
                            </button>
                          </div>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <Pager pages={pages} nextCursor={page.nextCursor} busy={q.isFetching} />
          {canWrite && state === 'resolved' && page.items.length > 0 && (
            <button type="button" className="btn danger" onClick={() => clear.mutate(undefined)}>
              Clear resolved alerts
            </button>
          )}
        </>
      )}
    </Loaded>
  );
}

type Rule = Reply<'/api/alert-rules', 'get'>['items'][number];

function RuleRow({ rule }: { rule: Rule }) {
  const canWrite = useCan('operator');
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useWrite((body: { enabled?: boolean; thresholds?: Record<string, number> }) =>
    unwrap(api.PATCH('/api/alert-rules/{rule}', { params: { path: { rule: rule.rule } }, body })),
  );
  const start = () => {
    setDraft(Object.fromEntries(Object.entries(rule.thresholds).map(([k, v]) => [k, String(v)])));
    setErrors({});
    setEditing(true);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const thresholds: Record<string, number> = {};
    for (const [k, raw] of Object.entries(draft)) {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) errs[k] = 'a number, 0 or more';
      else thresholds[k] = n;
    }
    setErrors(errs);
    if (Object.keys(errs).length === 0)
      save.mutate({ thresholds }, { onSuccess: () => setEditing(false), onError: (err) => setErrors({ _: errorText(err) }) });
  };
  return (
    <tr data-rule={rule.rule}>
      <th scope="row" className="mono">
        {rule.rule}
      </th>
      <td className="wrap">{rule.description}</td>
      <td>{rule.scope}</td>
      <td className="wrap">
        {editing ? (
          <form onSubmit={submit} noValidate>
            {Object.keys(draft).map((k) => (
              <Field key={k} label={k} error={errors[k]} hint={`default ${rule.defaults[k] ?? '–'}`}>
                {(p) => <input {...p} inputMode="decimal" value={draft[k]} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />}
              </Field>
            ))}
            {errors._ && <p className="field-error">{errors._}</p>}
            <div className="actions">
              <button type="submit" className="btn small primary" disabled={save.isPending}>
                Save<span className="sr-only"> {rule.rule}</span>
              </button>
              <button type="button" className="btn small" onClick={() => setEditing(false)}>
                Cancel<span className="sr-only"> editing {rule.rule}</span>
              </button>
            </div>
          </form>
        ) : (
          <span className="mono">
            {Object.entries(rule.thresholds)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}
          </span>
        )}
      </td>
      <td>{rule.enabled ? <span className="badge ok">on</span> : <span className="badge">off</span>}</td>
      {canWrite && (
        <td>
          <div className="actions">
            {!editing && (
              <button type="button" className="btn small" onClick={start}>
                Edit thresholds<span className="sr-only"> of {rule.rule}</span>
              </button>
            )}
            <button type="button" className="btn small" disabled={save.isPending} onClick={() => save.mutate({ enabled: !rule.enabled })}>
              {rule.enabled ? 'Disable' : 'Enable'}
              <span className="sr-only"> {rule.rule}</span>
            </button>
          </div>
        </td>
      )}
    </tr>
  );
}

function Rules() {
  const canWrite = useCan('operator');
  const q = useQuery(queries.alertRules());
  return (
    <Loaded query={q} label="Loading rules">
      {({ items }) => (
        <TableWrap label="Alert rules">
          <table>
            <caption className="sr-only">Alert rules</caption>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">What it watches</th>
                <th scope="col">Scope</th>
                <th scope="col">Thresholds</th>
                <th scope="col">Enabled</th>
                {canWrite && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <RuleRow key={r.rule} rule={r} />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Loaded>
  );
}

export function AlertsPage() {
  const [params, set] = useSearchState();
  const tab = params.get('show') === 'resolved' ? 'resolved' : params.get('show') === 'rules' ? 'rules' : 'active';
  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">Alerts</h1>
        <fieldset className="actions plain">
          <legend className="sr-only">Show</legend>
          {(['active', 'resolved', 'rules'] as const).map((t) => (
            <button
              key={t}
              type="button"
              className={`btn small${t === tab ? ' primary' : ''}`}
              aria-pressed={t === tab}
              onClick={() => set({ show: t })}
            >
              {t}
            </button>
          ))}
        </fieldset>
      </div>
      {tab === 'rules' ? <Rules /> : <AlertList key={tab} state={tab} />}
    </section>
  );
}

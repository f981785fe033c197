import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, type Reply, unwrap } from '../api/client';
import { queries } from '../api/queries';
import { Dialog } from '../components/Dialog';
import { DialogActions, showWriteError } from '../components/DialogActions';
import { Field } from '../components/Field';
import { Pager, useCursorPages } from '../components/Pager';
import { Empty, ErrorBox, Loaded } from '../components/Status';
import { TableWrap } from '../components/TableWrap';
import { useCan, useMe } from '../lib/auth';
import { fmtAgo, fmtTime } from '../lib/format';
import { useWrite } from '../lib/queries';
import { useSearchState } from '../lib/router';
import * as v from '../lib/validate';

type Token = Reply<'/api/tokens', 'get'>['items'][number];
type Created = Reply<'/api/tokens', 'post'>;
const ROLES = ['viewer', 'operator', 'admin'] as const;
const DAY_MS = 86_400_000;

/**
 * Create a token: name, role, an optional tenant scope and lifetime. The reply's secret
 * is shown once, here; the server keeps only its hash.
 */
function CreateTokenDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('viewer');
  const [tenant, setTenant] = useState('');
  const [days, setDays] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const create = useWrite((body: { name: string; role: (typeof ROLES)[number]; tenant?: string; expiresAt?: string }) =>
    unwrap(api.POST('/api/tokens', { body })),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const n = v.name(name);
    if ('error' in n) errs.name = n.error;
    const t = tenant.trim() === '' ? null : v.name(tenant);
    if (t && 'error' in t) errs.tenant = t.error;
    const d = v.optionalInt(days, 1, 36_500);
    if ('error' in d) errs.expiresAt = d.error;
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) return;
    const body: { name: string; role: (typeof ROLES)[number]; tenant?: string; expiresAt?: string } = {
      name: (n as { value: string }).value,
      role,
    };
    if (t && 'value' in t) body.tenant = t.value;
    if ('value' in d && d.value !== null) body.expiresAt = new Date(Date.now() + d.value * DAY_MS).toISOString();
    create.mutate(body, { onSuccess: setCreated, onError: (err) => showWriteError(err, setErrors, setFormError) });
  };

  if (created) {
    return (
      <Dialog open onClose={onClose} title={`Token ${created.token.name} created`}>
        <p>
          Copy the secret now: it is shown this once and the server keeps only its hash. Send it as{' '}
          <code>Authorization: Bearer &lt;secret&gt;</code>, or sign in with it here.
        </p>
        <Field label="Secret" hint={`${created.token.role}${created.token.tenant ? `, tenant ${created.token.tenant}` : ''}`}>
          {(p) => (
            <input {...p} readOnly className="mono" value={created.secret} onFocus={(e) => e.currentTarget.select()} data-testid="secret" />
          )}
        </Field>
        <div className="actions">
          <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(created.secret)}>
            Copy
          </button>
          <button type="button" className="btn primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open onClose={onClose} title="Create an API token">
      <form onSubmit={submit} noValidate className="grid" style={{ gridTemplateColumns: '1fr', gap: '0.5rem' }}>
        <Field label="Name" error={errors.name} hint="who or what uses it, e.g. ops-alice or billing-service">
          {(p) => <input {...p} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field
          label="Role"
          error={errors.role}
          hint="viewer reads; operator also writes (pause, retry, configure); admin also manages tokens"
        >
          {(p) => (
            <select {...p} name="role" value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tenant" error={errors.tenant} hint="empty: every tenant; a name: the token sees that tenant only">
          {(p) => <input {...p} name="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} />}
        </Field>
        <Field label="Expires after (days)" error={errors.expiresAt} hint="empty: never">
          {(p) => <input {...p} name="expiresAt" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <DialogActions error={formError} pending={create.isPending} label="Create" pendingLabel="Creating…" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function RevokeDialog({ token, onClose }: { token: Token; onClose: () => void }) {
  const me = useMe();
  const revoke = useWrite(() => unwrap(api.DELETE('/api/tokens/{id}', { params: { path: { id: token.id } } })));
  return (
    <Dialog open onClose={onClose} title={`Revoke token ${token.name}?`}>
      <p>Every request with it is refused from now on (401). This cannot be undone: create a new token instead.</p>
      {me.name === token.name && (
        <p className="notice">
          You are signed in with a token of this name: if it is this one, the dashboard stops working until you sign in with another.
        </p>
      )}
      {revoke.error && <ErrorBox error={revoke.error} title="Could not revoke" />}
      <div className="actions">
        <button
          type="button"
          className="btn danger"
          disabled={revoke.isPending}
          onClick={() => revoke.mutate(undefined, { onSuccess: onClose })}
        >
          Revoke {token.name}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Keep it
        </button>
      </div>
    </Dialog>
  );
}

function state(t: Token): { label: string; badge: string } {
  if (t.revokedAt) return { label: 'revoked', badge: 'paused' };
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return { label: 'expired', badge: 'warning' };
  return { label: 'live', badge: 'ok' };
}

/** API tokens (admin only): list, create with the secret shown once, revoke. */
export function TokensPage() {
  const isAdmin = useCan('admin');
  const [params, set] = useSearchState();
  const all = params.get('all') === 'true';
  const pages = useCursorPages(String(all));
  const q = useQuery({ ...queries.tokens(all, pages.cursor), enabled: isAdmin });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);

  if (!isAdmin) {
    return (
      <section>
        <h1>API tokens</h1>
        <p className="notice">Only an admin token manages tokens.</p>
      </section>
    );
  }
  return (
    <section>
      <div className="toolbar">
        <h1 className="grow">API tokens</h1>
        <label className="inline">
          <input type="checkbox" checked={all} onChange={(e) => set({ all: e.target.checked ? 'true' : null })} /> Show revoked
        </label>
        <button type="button" className="btn primary" onClick={() => setCreating(true)}>
          Create token
        </button>
      </div>
      <Loaded query={q} label="Loading tokens">
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <Empty>No token yet: without any, only this machine may use the API (local mode).</Empty>
            ) : (
              <TableWrap label="API tokens">
                <table>
                  <caption className="sr-only">API tokens</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Role</th>
                      <th scope="col">Tenant</th>
                      <th scope="col">Created</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Expires</th>
                      <th scope="col">State</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((t) => {
                      const st = state(t);
                      return (
                        <tr key={t.id} data-token={t.name}>
                          <th scope="row">{t.name}</th>
                          <td>{t.role}</td>
                          <td>{t.tenant ?? 'all'}</td>
                          <td title={fmtTime(t.createdAt)}>{fmtAgo(t.createdAt)}</td>
                          <td title={fmtTime(t.lastUsedAt)}>{t.lastUsedAt ? fmtAgo(t.lastUsedAt) : 'never'}</td>
                          <td title={fmtTime(t.expiresAt)}>{t.expiresAt ? fmtAgo(t.expiresAt) : 'never'}</td>
                          <td>
                            <span className={`badge ${st.badge}`}>{st.label}</span>
                          </td>
                          <td>
                            {!t.revokedAt && (
                              <button type="button" className="btn small" onClick={() => setRevoking(t)}>
                                Revoke<span className="sr-only"> {t.name}</span>
                              </button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
            )}
            {(page.nextCursor || pages.page > 1) && <Pager pages={pages} nextCursor={page.nextCursor} busy={q.isFetching} />}
          </>
        )}
      </Loaded>
      {creating && <CreateTokenDialog onClose={() => setCreating(false)} />}
      {revoking && <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

import { type FormEvent, useId, useState } from 'react';
import { ApiError } from '../api/client';
import { errorText } from '../components/Status';

/** Sign in with an API token (made by `rota token create` or POST /api/tokens). */
export function LoginPage({ onSignIn, rejected }: { onSignIn: (token: string) => Promise<{ error: unknown }>; rejected: boolean }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(rejected ? 'The saved token was rejected; sign in again.' : null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Enter a token.');
      return;
    }
    setBusy(true);
    const res = await onSignIn(token.trim());
    setBusy(false);
    if (res.error) {
      setError(res.error instanceof ApiError && res.error.status === 401 ? 'This token is not valid.' : errorText(res.error));
    }
  };

  return (
    <main className="center">
      <form className="card login" onSubmit={submit} noValidate>
        <h1>rota</h1>
        <p className="muted">Sign in with an API token.</p>
        <label htmlFor={id}>API token</label>
        <input
          id={id}
          name="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-err` : undefined}
          // biome-ignore lint/a11y/noAutofocus: the page's only field; signing in is the only thing to do here
          autoFocus
        />
        {error && (
          <p id={`${id}-err`} className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

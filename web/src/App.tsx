import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, storedToken, storeToken } from './api/client';
import { ErrorBox, Spinner } from './components/Status';
import { Layout } from './Layout';
import { MeProvider, useMeQuery } from './lib/auth';
import { LoginPage } from './pages/Login';
import { Routes } from './Routes';

/**
 * Who is asking decides what is shown: /api/me answers for the stored token (or for no
 * token when the server runs without tokens, the local mode). A 401 asks for a token.
 */
export function App() {
  const me = useMeQuery();
  const queryClient = useQueryClient();

  // Another identity sees other data: drop everything cached but the identity itself
  // (whose refetch keeps the login page mounted while the token is checked).
  const forgetData = () => queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  const signIn = (token: string) => {
    storeToken(token);
    forgetData();
    return me.refetch();
  };
  const signOut = () => {
    storeToken(null);
    forgetData();
    void me.refetch();
  };

  // The login page stays up (and keeps its state) while a typed token is being checked.
  const authFailed = me.error instanceof ApiError && (me.error.status === 401 || me.error.status === 403);
  const [onLogin, setOnLogin] = useState(false);
  useEffect(() => {
    if (authFailed) setOnLogin(true);
    else if (me.data) setOnLogin(false);
  }, [authFailed, me.data]);
  if (authFailed || (onLogin && me.isPending)) {
    return <LoginPage onSignIn={signIn} rejected={storedToken() !== null} />;
  }
  if (me.isPending) {
    return (
      <main className="center">
        <Spinner label="Connecting" />
      </main>
    );
  }
  if (me.error) {
    return (
      <main className="center">
        <ErrorBox error={me.error} onRetry={() => void me.refetch()} title="Cannot reach the rota server" />
      </main>
    );
  }
  return (
    <MeProvider me={me.data}>
      <Layout onSignOut={signOut} hasToken={storedToken() !== null}>
        <Routes />
      </Layout>
    </MeProvider>
  );
}

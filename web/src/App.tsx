import { useQueryClient } from '@tanstack/react-query';
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

  const signIn = (token: string) => {
    storeToken(token);
    queryClient.clear();
    return me.refetch();
  };
  const signOut = () => {
    storeToken(null);
    queryClient.clear();
    void me.refetch();
  };

  if (me.isPending) {
    return (
      <main className="center">
        <Spinner label="Connecting" />
      </main>
    );
  }
  if (me.error) {
    if (me.error instanceof ApiError && (me.error.status === 401 || me.error.status === 403)) {
      return <LoginPage onSignIn={signIn} rejected={storedToken() !== null} />;
    }
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

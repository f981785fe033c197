import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiError } from './api/client';
import { queries } from './api/queries';
import { prefetchOpenedPage } from './lib/prefetch';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Live data refreshes every few seconds, and stops while the tab is hidden
      // (refetchIntervalInBackground stays false) so a forgotten tab costs the server nothing.
      refetchInterval: 5_000,
      refetchIntervalInBackground: false,
      staleTime: 2_000,
      // A 4xx will not get better by asking again; a timeout or a 5xx might, once.
      retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
    },
  },
});

// The opened page's data is asked for now, beside /api/me, not after it.
void queryClient.prefetchQuery(queries.me());
prefetchOpenedPage(queryClient, window.location.hash);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

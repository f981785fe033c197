import { match, useLocation } from './lib/router';
import { AlertsPage } from './pages/Alerts';
import { JobDetailPage } from './pages/JobDetail';
import { JobsPage } from './pages/Jobs';
import { OverviewPage } from './pages/Overview';
import { QueuesPage } from './pages/Queues';
import { SchedulesPage } from './pages/Schedules';
import { TenantsPage } from './pages/Tenants';
import { TokensPage } from './pages/Tokens';
import { WorkersPage } from './pages/Workers';

type Page = (params: Record<string, string>) => React.ReactNode;

/** Hash paths and the page each shows (first match wins). */
const ROUTES: [string, Page][] = [
  ['/', () => <OverviewPage />],
  ['/queues', () => <QueuesPage />],
  ['/queues/:queue/tenants', (p) => <TenantsPage queue={p.queue!} />],
  ['/jobs', () => <JobsPage />],
  ['/jobs/:id', (p) => <JobDetailPage key={p.id} id={p.id!} />],
  ['/schedules', () => <SchedulesPage />],
  ['/alerts', () => <AlertsPage />],
  ['/workers', () => <WorkersPage />],
  ['/tokens', () => <TokensPage />],
];

export function Routes() {
  const { path } = useLocation();
  for (const [pattern, page] of ROUTES) {
    const params = match(pattern, path);
    if (params) return <>{page(params)}</>;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <a href="#/">Back to the overview</a>.
      </p>
    </section>
  );
}

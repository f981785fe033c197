import { AlertsPage } from './pages/Alerts';
import { JobDetailPage } from './pages/JobDetail';
import { JobsPage } from './pages/Jobs';
import { OverviewPage } from './pages/Overview';
import { QueuesPage } from './pages/Queues';
import { SchedulesPage } from './pages/Schedules';
import { TenantsPage } from './pages/Tenants';
import { WorkersPage } from './pages/Workers';
import { match, useLocation } from './lib/router';

/** Which page a hash path shows. */
export function Routes() {
  const { path } = useLocation();
  let m: Record<string, string> | null;
  if (path === '/') return <OverviewPage />;
  if (path === '/queues') return <QueuesPage />;
  if ((m = match('/queues/:queue/tenants', path))) return <TenantsPage queue={m.queue!} />;
  if (path === '/jobs') return <JobsPage />;
  if ((m = match('/jobs/:id', path))) return <JobDetailPage id={m.id!} />;
  if (path === '/schedules') return <SchedulesPage />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/workers') return <WorkersPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{path}</code>. <a href="#/">Back to the overview</a>.
      </p>
    </section>
  );
}

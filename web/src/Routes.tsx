import { match, useLocation } from './lib/router';
import { OverviewPage } from './pages/Overview';
import { QueuesPage } from './pages/Queues';

type Page = (params: Record<string, string>) => React.ReactNode;

/** Hash paths and the page each shows (first match wins). */
const ROUTES: [string, Page][] = [
  ['/', () => <OverviewPage />],
  ['/queues', () => <QueuesPage />],
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

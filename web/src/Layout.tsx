import { useIsFetching } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useMe } from './lib/auth';
import { useLocation } from './lib/router';
import { useTheme } from './lib/theme';

/**
 * `cluster`: about the whole cluster, so not for a tenant-scoped token (the server answers
 * 403); `admin`: for admin tokens only.
 */
const NAV: { href: string; label: string; prefix: string; cluster?: true; admin?: true }[] = [
  { href: '#/', label: 'Overview', prefix: '/' },
  { href: '#/queues', label: 'Queues', prefix: '/queues' },
  { href: '#/jobs', label: 'Jobs', prefix: '/jobs' },
  { href: '#/schedules', label: 'Schedules', prefix: '/schedules', cluster: true },
  { href: '#/alerts', label: 'Alerts', prefix: '/alerts', cluster: true },
  { href: '#/workers', label: 'Workers', prefix: '/workers', cluster: true },
  { href: '#/tokens', label: 'Tokens', prefix: '/tokens', cluster: true, admin: true },
];

function isCurrent(prefix: string, path: string): boolean {
  return prefix === '/' ? path === '/' : path === prefix || path.startsWith(`${prefix}/`);
}

export function Layout({ children, onSignOut, hasToken }: { children: ReactNode; onSignOut: () => void; hasToken: boolean }) {
  const me = useMe();
  const { path } = useLocation();
  const [theme, toggleTheme] = useTheme();
  const fetching = useIsFetching();

  return (
    <div className="shell">
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <span className="brand">rota</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !(n.cluster && me.tenant !== null) && !(n.admin && me.role !== 'admin')).map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={isCurrent(n.prefix, path) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className={`live${fetching ? ' on' : ''}`} title={fetching ? 'refreshing' : 'up to date'} aria-hidden="true" />
          <span data-testid="identity">
            {me.name} · {me.role}
            {me.tenant ? ` · tenant ${me.tenant}` : ''}
            {!hasToken ? ' (local mode)' : ''}
          </span>
          <button
            type="button"
            className="btn small ghost"
            onClick={toggleTheme}
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} mode`}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {hasToken && (
            <button type="button" className="btn small ghost" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

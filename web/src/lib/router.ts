import { useCallback, useSyncExternalStore } from 'react';

/**
 * Hash routing (`#/jobs?state=dead`): every view, with its filters, is a shareable URL,
 * and the server needs no fallback route for the dashboard's paths.
 */
export interface Location {
  path: string;
  params: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = (): string => window.location.hash;

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  return { path: path || '/', params: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)) };
}

export function hrefFor(path: string, params?: Record<string, string | number | null | undefined> | URLSearchParams): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams();
  if (params && !(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const qs = p.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) {
    window.history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href.replace(/^#/, '');
  }
}

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseHash(hash);
}

/** The URL's query as state: `set({ state: 'dead' })` replaces those keys (empty removes them). */
export function useSearchState(): [URLSearchParams, (patch: Record<string, string | null | undefined>) => void] {
  const { path, params } = useLocation();
  const set = useCallback(
    (patch: Record<string, string | null | undefined>) => {
      const next = new URLSearchParams(parseHash(window.location.hash).params);
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined || v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      navigate(hrefFor(path, next), { replace: true });
    },
    [path],
  );
  return [params, set];
}

/** Matches `/queues/:queue/tenants` style patterns; returns the decoded params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const seg = a[i]!;
    const val = b[i]!;
    if (seg.startsWith(':')) out[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return out;
}

import { useEffect, useState, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const KEY = 'rota.theme';

function initialTheme(): Theme {
  const saved = window.localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Dark mode: follows the system until the user picks one, then remembers the choice. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const toggle = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    window.localStorage.setItem(KEY, next);
    setTheme(next);
  };
  return [theme, toggle];
}

function subscribeTheme(onChange: () => void): () => void {
  const mo = new MutationObserver(onChange);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => mo.disconnect();
}

/** The theme in force (for what CSS cannot style, such as the charts' canvas). */
export function useThemeName(): string {
  return useSyncExternalStore(subscribeTheme, () => document.documentElement.dataset.theme ?? 'light');
}

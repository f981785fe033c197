import type { ReactNode } from 'react';

/** Preformatted text (payloads, stacks, logs) that may scroll: focusable so the keyboard can scroll it too. */
export function Code({ children }: { children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable from the keyboard (WCAG 2.1.1, axe scrollable-region-focusable)
    <pre tabIndex={0}>{children}</pre>
  );
}

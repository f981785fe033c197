import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways inside its own box when the window is narrow. The box
 * is focusable so the keyboard can scroll it (axe: scrollable-region-focusable).
 */
export function TableWrap({ label, children, className = 'table-wrap' }: { label: string; children: ReactNode; className?: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable from the keyboard (WCAG 2.1.1)
    <section className={className} tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}

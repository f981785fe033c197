import { useState } from 'react';

/**
 * Keyset paging: the server hands out an opaque cursor for the next page; going back
 * replays the cursors seen so far (no OFFSET anywhere, so page 500 costs what page 1 does).
 */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | null)[] }>({ key: resetKey, stack: [null] });
  const stack = state.key === resetKey ? state.stack : [null];
  return {
    cursor: stack.at(-1) ?? null,
    page: stack.length,
    next: (c: string) => setState({ key: resetKey, stack: [...stack, c] }),
    prev: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
    first: () => setState({ key: resetKey, stack: [null] }),
  };
}

export function Pager({
  pages,
  nextCursor,
  busy,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null;
  busy?: boolean;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn small" disabled={pages.page <= 1} onClick={pages.first}>
        First
      </button>
      <button type="button" className="btn small" disabled={pages.page <= 1} onClick={pages.prev}>
        Previous
      </button>
      <span className="muted">page {pages.page}</span>
      <button type="button" className="btn small" disabled={!nextCursor || busy} onClick={() => nextCursor && pages.next(nextCursor)}>
        Next
      </button>
    </nav>
  );
}

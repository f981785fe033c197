import { useState } from 'react';
import { useLocation } from '../lib/router';
import { pageSizeOf } from '../lib/views';

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

/** Keyset pages of a list whose page size is in the URL (`?size=`, default 50): the queues, schedules and workers. */
export function useListPages() {
  const size = pageSizeOf(useLocation().params);
  return { size, pages: useCursorPages(String(size)) };
}

/** The pager, shown only once the list has more than one page. */
export function ListPager(props: { pages: ReturnType<typeof useCursorPages>; nextCursor: string | null; busy?: boolean }) {
  return props.nextCursor || props.pages.page > 1 ? <Pager {...props} /> : null;
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

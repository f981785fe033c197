import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A modal <dialog>: focus moves into it, Escape closes it, and focus returns to what
 * opened it (the browser does all three for showModal()).
 */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="dialog-title">
      {open && (
        <>
          <h2 id="dialog-title" style={{ marginTop: 0 }}>
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}

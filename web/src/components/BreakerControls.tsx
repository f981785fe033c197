import { api, unwrap } from '../api/client';
import { useWrite } from '../lib/queries';
import { ErrorBox } from './Status';

type Action = 'open' | 'close' | 'reset';

/**
 * A queue's circuit breaker, forced from the dashboard: open (every worker stops calling
 * the downstream), closed (calls go through whatever fails), or back to automatic.
 */
export function BreakerControls({ queue, state, forced }: { queue: string; state: string; forced: string | null }) {
  const name = `queue:${queue}`;
  const write = useWrite((a: Action): Promise<unknown> => {
    const params = { path: { name } };
    const body = { reason: 'forced from the dashboard' };
    if (a === 'open') return unwrap(api.POST('/api/breakers/{name}/open', { params, body }));
    if (a === 'close') return unwrap(api.POST('/api/breakers/{name}/close', { params, body }));
    return unwrap(api.POST('/api/breakers/{name}/reset', { params, body }));
  });
  const button = (a: Action, label: string) => (
    <button type="button" className="btn small" disabled={write.isPending} onClick={() => write.mutate(a)}>
      {label}
      <span className="sr-only">: breaker of {queue}</span>
    </button>
  );
  return (
    <>
      {forced ? button('reset', 'Back to automatic') : state === 'closed' ? button('open', 'Force open') : button('close', 'Force close')}
      {write.error && <ErrorBox error={write.error} title="Failed" />}
    </>
  );
}

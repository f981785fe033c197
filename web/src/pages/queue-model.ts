import type { Reply } from '../api/client';

export type Queue = Reply<'/api/queues', 'get'>['items'][number];

/** Jobs waiting to run: due now or delayed (retries included), from the claim's counters. */
export function backlogOf(q: Queue): number {
  return q.waiting;
}

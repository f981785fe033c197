import type { Reply } from '../api/client';

export type Queue = Reply<'/api/queues', 'get'>['items'][number];

/** Jobs waiting to run: ready now or delayed (retries included). */
export function backlogOf(q: Queue): number {
  return q.counts.available + q.counts.scheduled;
}

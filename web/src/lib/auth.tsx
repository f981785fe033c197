import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import type { Reply } from '../api/client';
import { queries } from '../api/queries';

export type Me = Reply<'/api/me', 'get'>;
export type Role = Me['role'];

const RANK: Record<string, number> = { viewer: 1, operator: 2, admin: 3 };

export function useMeQuery() {
  return useQuery(queries.me());
}

const MeContext = createContext<Me | null>(null);

export function MeProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside MeProvider');
  return me;
}

/** Whether the signed-in token may do what needs `role` (admin ⊃ operator ⊃ viewer). */
export function useCan(role: 'operator' | 'admin'): boolean {
  const me = useMe();
  return (RANK[me.role] ?? 0) >= (RANK[role] ?? Number.POSITIVE_INFINITY);
}

/**
 * Whether the token may change cluster-wide settings (a queue's limits, retry policy and
 * breaker, pause, a tenant's weight): operator and up, and not scoped to one tenant (the
 * server answers 403 to a tenant-scoped token there).
 */
export function useCanConfigure(): boolean {
  const me = useMe();
  return useCan('operator') && me.tenant === null;
}

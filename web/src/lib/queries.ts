import { useMutation, useQueryClient } from '@tanstack/react-query';

/**
 * A write: runs `fn`, then refreshes every query (the server is the only truth, and a
 * write on one page shows on every other one).
 */
export function useWrite<TArgs, TResult>(fn: (args: TArgs) => Promise<TResult>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    retry: false,
    onSettled: () => qc.invalidateQueries(),
  });
}

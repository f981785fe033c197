-- heartbeat: renew the leases of every job this process holds (running or buffered).
--   $1 bigint[] job ids   $2 int[] attempts (pairwise)   $3 text worker id   $4 int lease ms
-- Returns the ids still held; a missing id was rescued by another process (its lease
-- had expired), and the runtime aborts that handler's signal. `cancel`: an operator
-- cancelled the job (admin API); its NOTIFY may have been missed, so it is delivered here too.
-- Reached through jobs_pkey (id = ANY($1)); `locked_by = $3` implies running without
-- matching jobs_lease_idx's predicate (see sql/functions/move_jobs.sql on plan stability).
UPDATE {{schema}}.jobs j
   SET lease_expires_at = now() + $4 * interval '1 millisecond'
  FROM unnest($1::bigint[], $2::int[]) AS h(id, attempt)
 WHERE j.id = ANY ($1::bigint[]) AND j.id = h.id AND j.attempt = h.attempt AND j.locked_by = $3
RETURNING j.id, j.cancel_requested_at IS NOT NULL AS cancel

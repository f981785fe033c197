-- find_dedup: the live jobs holding the given dedup keys.
--   $1 text    queue
--   $2 text[]  tenants
--   $3 text[]  dedup keys (pairwise with $2)
-- Uses jobs_dedup_idx (queue, tenant, dedup_key).
SELECT j.id, j.tenant, j.dedup_key
  FROM unnest($2::text[], $3::text[]) AS k(tenant, dedup_key)
  JOIN {{schema}}.jobs j ON j.queue = $1 AND j.tenant = k.tenant AND j.dedup_key = k.dedup_key

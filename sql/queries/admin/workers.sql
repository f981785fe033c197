-- workers: one page of live worker processes, by id.
--   $1 int stale ms (heartbeat within)   $2 text after id (cursor, NULL: first page)   $3 int page size + 1
-- The primary key in order from the cursor, so a page costs its size plus the stale
-- rows between (pruned by rota.admin.prune). A process whose LISTEN session is gone has
-- died (src/worker/sessions.ts): it is not listed for the rest of its staleness window.
SELECT w.id, w.hostname, w.pid, w.queues, w.started_at,
       (extract(epoch FROM now() - w.heartbeat_at) * 1000)::int AS age_ms, w.stats
  FROM {{schema}}.workers w
 WHERE w.heartbeat_at > now() - $1 * interval '1 millisecond'
   AND ($2::text IS NULL OR w.id > $2)
   AND (w.stats ->> 'listener' IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = w.stats ->> 'listener'))
 ORDER BY w.id
 LIMIT $3

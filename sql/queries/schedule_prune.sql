-- schedule_prune: delete cycles older than the history period, a bounded batch per run.
--   $1 double precision  history in ms
--   $2 int               most rows per run
-- The oldest rows by schedule_ticks_tick_idx; rows another pruner holds are skipped.
DELETE FROM {{schema}}.schedule_ticks t
 USING (SELECT schedule_id, tick_at, source FROM {{schema}}.schedule_ticks
         WHERE tick_at < now() - $1 * interval '1 millisecond'
         ORDER BY tick_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED) old
 WHERE t.schedule_id = old.schedule_id AND t.tick_at = old.tick_at AND t.source = old.source

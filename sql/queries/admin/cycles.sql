-- cycles: one page of recorded schedule cycles, newest first, keyset by (tick_at, source).
--   $1 text schedule name (NULL: all)   $2 timestamptz after tick_at (cursor)   $3 text after source
--   $4 int page size + 1
-- One schedule: its primary key (schedule_id, tick_at, source) backwards; all: schedule_ticks_tick_idx.
SELECT s.name AS schedule, t.tick_at, t.tick_at::text AS tick_key, t.source, t.status, t.recorded_at, t.job_id,
       t.outcome, t.started_at, t.finished_at
  FROM {{schema}}.schedule_ticks t
  JOIN {{schema}}.schedules s ON s.id = t.schedule_id
 WHERE ($1::text IS NULL OR s.name = $1)
   AND ($2::timestamptz IS NULL OR (t.tick_at, t.source) < ($2::timestamptz, $3::text))
 ORDER BY t.tick_at DESC, t.source DESC
 LIMIT $4

-- schedule_cycles: recorded cycles, newest first (history views, alert rules).
--   $1 text | null         one schedule's name, or all
--   $2 timestamptz | null  only ticks at or after this instant
--   $3 text[] | null       only these statuses ('enqueued', 'caught_up', 'missed')
--   $4 int                 most rows
-- One schedule: its primary key backwards. All schedules since T: schedule_ticks_tick_idx.
SELECT s.name AS schedule, t.tick_at, t.source, t.status, t.recorded_at, t.job_id,
       t.outcome, t.started_at, t.finished_at
  FROM {{schema}}.schedule_ticks t
  JOIN {{schema}}.schedules s ON s.id = t.schedule_id
 WHERE ($1::text IS NULL OR s.name = $1)
   AND ($2::timestamptz IS NULL OR t.tick_at >= $2)
   AND ($3::text[] IS NULL OR t.status = ANY ($3))
 ORDER BY t.tick_at DESC, t.source
 LIMIT $4

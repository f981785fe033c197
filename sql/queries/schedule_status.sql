-- schedule_status: per schedule, its definition, last run and stats over its last $1 cycles.
--   $1 int          window: the most recent cycles per schedule
--   $2 text | null  one schedule's name, or every schedule
--   $3 text[] | null  these schedules only (one page of the REST list), or every schedule
-- Both LATERAL look-ups walk the primary key (schedule_id, tick_at, source) backwards
-- from the newest cycle: the cost is the window per schedule, not the history.
SELECT s.name, s.cron, s.time_zone, s.queue, s.enabled, s.next_tick_at, s.missed_total, s.last_missed_at,
       lr.tick_at AS last_tick_at, lr.source AS last_source, lr.status AS last_status,
       lr.recorded_at AS last_recorded_at, lr.job_id AS last_job_id, lr.outcome AS last_outcome,
       lr.started_at AS last_started_at, lr.finished_at AS last_finished_at,
       w.cycles, w.completed, w.failed, w.missed, w.pending, w.mean_ms, w.p95_ms
  FROM {{schema}}.schedules s
  LEFT JOIN LATERAL (
    SELECT t.tick_at, t.source, t.status, t.recorded_at, t.job_id, t.outcome, t.started_at, t.finished_at
      FROM {{schema}}.schedule_ticks t
     WHERE t.schedule_id = s.id AND t.job_id IS NOT NULL
     ORDER BY t.tick_at DESC
     LIMIT 1
  ) lr ON true
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS cycles,
           count(*) FILTER (WHERE r.outcome = 'completed')::int AS completed,
           count(*) FILTER (WHERE r.outcome IN ('dead', 'cancelled', 'unknown'))::int AS failed,
           count(*) FILTER (WHERE r.status = 'missed')::int AS missed,
           count(*) FILTER (WHERE r.job_id IS NOT NULL AND r.outcome IS NULL)::int AS pending,
           avg(r.ms)::float8 AS mean_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY r.ms)::float8 AS p95_ms
      FROM (SELECT t.status, t.job_id, t.outcome,
                   extract(epoch FROM t.finished_at - t.started_at)::float8 * 1000 AS ms
              FROM {{schema}}.schedule_ticks t
             WHERE t.schedule_id = s.id
             ORDER BY t.tick_at DESC
             LIMIT $1) r
  ) w
 WHERE ($2::text IS NULL OR s.name = $2) AND ($3::text[] IS NULL OR s.name = ANY ($3))
 ORDER BY s.name

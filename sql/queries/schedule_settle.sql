-- schedule_settle: copy the outcome of finished jobs into their cycles, so stats read
-- schedule_ticks alone and outlive job retention.
--   $1 int  most cycles per run
-- Unsettled cycles come from schedule_ticks_unsettled_idx (oldest first; rows another
-- settler holds are skipped). Each job is looked up in jobs_done by id; the
-- finished_at >= recorded_at bound lets run-time partition pruning skip the days
-- before the enqueue. A job in neither table (retention dropped it before any
-- scheduler settled it) is settled as 'unknown'; one still in jobs stays open. Both
-- look-ups read one snapshot, so a job finishing meanwhile is seen in exactly one.
WITH open AS (
  SELECT t.schedule_id, t.tick_at, t.source, t.job_id, t.recorded_at
    FROM {{schema}}.schedule_ticks t
   WHERE t.job_id IS NOT NULL AND t.outcome IS NULL
   ORDER BY t.recorded_at
   LIMIT $1
   FOR UPDATE SKIP LOCKED
),
found AS (
  SELECT o.schedule_id, o.tick_at, o.source, d.state, d.started_at, d.finished_at
    FROM open o
    LEFT JOIN LATERAL (
      SELECT jd.state, jd.started_at, jd.finished_at FROM {{schema}}.jobs_done jd
       WHERE jd.id = o.job_id AND jd.finished_at >= o.recorded_at
       LIMIT 1
    ) d ON true
   WHERE d.state IS NOT NULL
      OR NOT EXISTS (SELECT 1 FROM {{schema}}.jobs j WHERE j.id = o.job_id)
)
UPDATE {{schema}}.schedule_ticks t
   SET outcome = coalesce(f.state, 'unknown'), started_at = f.started_at, finished_at = f.finished_at
  FROM found f
 WHERE t.schedule_id = f.schedule_id AND t.tick_at = f.tick_at AND t.source = f.source

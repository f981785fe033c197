-- cancel_jobs: cancel live jobs. Waiting ones (available, scheduled) move to jobs_done
-- as cancelled at once; running ones get cancel_requested_at and a NOTIFY on
-- <schema>.cancel, so the process running each aborts its ctx.signal and its finish
-- archives it as cancelled (finish_batch.sql; rescue.sql if that process is gone).
--   $1 bigint[] ids   $2 text tenant (NULL: any)   $3 text notify channel
-- Waiting jobs move through move_jobs() (sql/functions/move_jobs.sql), which archives
-- them and journals their lanes' ready counts.
WITH archived AS (
  SELECT m.id FROM {{schema}}.move_jobs(
    (SELECT coalesce(jsonb_agg(jsonb_build_object('i', j.id, 'k', 'cancel')), '[]')
       FROM {{schema}}.jobs j
      WHERE j.id = ANY ($1::bigint[]) AND j.state = 'available' AND ($2::text IS NULL OR j.tenant = $2))) AS m
),
requested AS (
  UPDATE {{schema}}.jobs j SET cancel_requested_at = coalesce(j.cancel_requested_at, now())
   WHERE j.id = ANY ($1::bigint[]) AND j.state = 'running' AND ($2::text IS NULL OR j.tenant = $2)
  RETURNING j.id
),
notified AS (
  SELECT count(pg_notify($3, r.id::text)) AS n FROM requested r
)
SELECT (SELECT count(*) FROM archived)::int AS cancelled,
       (SELECT count(*) FROM requested)::int AS requested,
       (SELECT n FROM notified)::int AS notified

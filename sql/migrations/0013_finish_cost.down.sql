-- The derived entries written back into `attempts` (as 0013's readers build them)
-- before the column goes.
UPDATE {{schema}}.jobs_done
   SET attempts = attempts || jsonb_build_array(jsonb_build_object(
         'attempt', attempt, 'worker', worker, 'startedAt', started_at, 'endedAt', finished_at,
         'outcome', 'complete', 'error', NULL::jsonb))
 WHERE worker IS NOT NULL;
ALTER TABLE {{schema}}.jobs_done DROP COLUMN IF EXISTS worker;
CREATE INDEX IF NOT EXISTS jobs_done_queue_time_idx ON {{schema}}.jobs_done (queue, finished_at, id);

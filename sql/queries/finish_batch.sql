-- finish_batch: the status batcher's one statement per flush.
--   $1 bigint[] ids  $2 int[] attempts  $3 text[] kinds  $4 jsonb[] results  $5 jsonb[] errors
--   $6 float8[] delays (ms), one move per position (src/worker/batcher.ts builds the literals)
--            kind: 'complete' | 'dead' | 'retry' | 'release' | 'snooze' | 'rate-limit' | 'rate-limit-queue'
-- move_jobs() (sql/functions/move_jobs.sql, with its EXPLAIN notes) does the moves, the
-- archive and the fairness journal. Every row is guarded by (id, attempt, still
-- running): if the job's lease expired and it was rescued (and maybe claimed again),
-- the stale update matches nothing, so a late writer never overwrites a newer attempt.
-- Re-running a batch after a lost reply is therefore harmless. One statement = one
-- transaction for the whole batch. Each attempt that ran is appended to the job's
-- `attempts`; a job whose cancel was requested (admin API) ends cancelled unless it
-- completed.
SELECT count(*) FILTER (WHERE m.state <> 'available')::int AS finished,
       count(*) FILTER (WHERE m.state = 'available')::int AS requeued
  FROM {{schema}}.move_jobs($1::bigint[], $2::int[], $3::text[], $4::jsonb[], $5::jsonb[], $6::float8[], NULL::text[]) AS m

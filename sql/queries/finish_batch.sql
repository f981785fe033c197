-- finish_batch: the status batcher's one statement per flush.
--   $1 json  array of {i: id, a: attempt, k: kind, r: result|null, e: error|null, d: delay_ms|null}
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
  FROM {{schema}}.move_jobs($1::jsonb) AS m

-- schedule_claim: lock the due schedules this evaluator will handle in its transaction.
--   $1 int       most schedules to claim
--   $2 bigint[]  schedule ids to leave out (quarantined by this process)
-- An index range scan of schedules_due_idx up to now(), in cursor order; rows another
-- evaluator holds are skipped, so evaluators split the due set instead of queueing on
-- it. The row lock is an optimisation, not the guarantee: the primary key of
-- schedule_ticks decides which evaluator enqueues a tick. "later" is the first cursor
-- not yet due, so the evaluator knows how long to sleep without another poll.
-- While the schedulers are paused (scheduler_control, 0005_admin.sql) nothing is claimed.
SELECT s.id, s.name, s.cron, s.time_zone, s.queue, s.payload, s.tenant, s.priority,
       s.max_attempts, s.timeout_ms, s.missed_policy, s.catch_up_max, s.grace_ms, s.jitter_ms,
       s.next_tick_at, now() AS now,
       (SELECT l.next_tick_at FROM {{schema}}.schedules l
         WHERE l.enabled AND l.next_tick_at > now() ORDER BY l.next_tick_at LIMIT 1) AS later
  FROM {{schema}}.schedules s
 WHERE s.enabled AND s.next_tick_at <= now() AND s.id <> ALL ($2::bigint[])
   AND NOT EXISTS (SELECT 1 FROM {{schema}}.scheduler_control c WHERE c.paused)
 ORDER BY s.next_tick_at
 LIMIT $1
 FOR UPDATE OF s SKIP LOCKED

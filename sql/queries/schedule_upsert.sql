-- schedule_upsert: create or replace a schedule by name (idempotent).
--   $1 name  $2 cron  $3 time_zone  $4 queue  $5 payload (json text)  $6 tenant  $7 priority
--   $8 max_attempts|null  $9 timeout_ms|null  $10 enabled  $11 missed_policy  $12 catch_up_max
--   $13 grace_ms  $14 jitter_ms  $15 next_tick_at (first tick after the database's now)
-- The cursor is kept when the timing is unchanged (same cron and time zone, still
-- enabled): redefining a schedule at every deploy must not hide the ticks missed while
-- the application was down. It restarts from $15 when the timing changes or the
-- schedule is (re-)enabled.
INSERT INTO {{schema}}.schedules AS s
       (name, cron, time_zone, queue, payload, tenant, priority, max_attempts, timeout_ms,
        enabled, missed_policy, catch_up_max, grace_ms, jitter_ms, next_tick_at)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (name) DO UPDATE
   SET cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone, queue = EXCLUDED.queue,
       payload = EXCLUDED.payload, tenant = EXCLUDED.tenant, priority = EXCLUDED.priority,
       max_attempts = EXCLUDED.max_attempts, timeout_ms = EXCLUDED.timeout_ms,
       enabled = EXCLUDED.enabled, missed_policy = EXCLUDED.missed_policy,
       catch_up_max = EXCLUDED.catch_up_max, grace_ms = EXCLUDED.grace_ms, jitter_ms = EXCLUDED.jitter_ms,
       next_tick_at = CASE WHEN s.enabled AND s.cron = EXCLUDED.cron AND s.time_zone = EXCLUDED.time_zone
                           THEN s.next_tick_at ELSE EXCLUDED.next_tick_at END,
       updated_at = now()
RETURNING *

-- schedule_trigger: record a manual run (its job was just enqueued in this transaction).
--   $1 bigint  schedule id   $2 bigint  job id
-- Manual cycles have source 'manual', so they never take a cron tick's key, and the
-- schedule's cursor is not touched: the next cron tick fires as planned.
INSERT INTO {{schema}}.schedule_ticks (schedule_id, tick_at, source, status, job_id)
VALUES ($1, now(), 'manual', 'enqueued', $2)
RETURNING tick_at, recorded_at

-- schedule_peek: the evaluator's idle poll. The database clock and the earliest cursor
-- of an enabled schedule.
--   $1 bigint[]  schedule ids to leave out (quarantined by this process)
-- One index entry: schedules_due_idx is ordered by next_tick_at and holds enabled rows only.
SELECT now() AS now,
       (SELECT next_tick_at FROM {{schema}}.schedules
         WHERE enabled AND next_tick_at IS NOT NULL AND id <> ALL ($1::bigint[])
         ORDER BY next_tick_at LIMIT 1) AS next

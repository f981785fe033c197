-- schedule_record: record the planned ticks of the claimed schedules and move their cursors.
--   $1 json  [{s: schedule id, t: tick_at, st: 'enqueued' | 'caught_up' | 'missed'}]
--   $2 json  [{i: schedule id, n: new next_tick_at | null, m: ticks counted as missed,
--            lm: latest missed tick | null}]
-- Returns the ticks this transaction inserted. A tick that already has a row (another
-- evaluator recorded it) is not returned, and the caller enqueues nothing for it:
-- that conflict, not a lock or a leader, is what makes each tick enqueue exactly once.
WITH advanced AS (
  UPDATE {{schema}}.schedules s
     SET next_tick_at = a.n, missed_total = s.missed_total + a.m,
         last_missed_at = coalesce(a.lm, s.last_missed_at)
    FROM json_to_recordset($2::json) AS a(i bigint, n timestamptz, m bigint, lm timestamptz)
   WHERE s.id = a.i
  RETURNING s.id
)
INSERT INTO {{schema}}.schedule_ticks (schedule_id, tick_at, source, status)
SELECT x.s, x.t, 'cron', x.st
  FROM json_to_recordset($1::json) AS x(s bigint, t timestamptz, st text)
ON CONFLICT (schedule_id, tick_at, source) DO NOTHING
RETURNING schedule_id, tick_at

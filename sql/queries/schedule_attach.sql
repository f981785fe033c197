-- schedule_attach: store the enqueued jobs' ids in their tick rows (same transaction).
--   $1 json  [{s: schedule id, t: tick_at, j: job id}]
-- Each row is reached by the primary key (schedule_id, tick_at, source).
UPDATE {{schema}}.schedule_ticks t
   SET job_id = x.j
  FROM json_to_recordset($1::json) AS x(s bigint, t timestamptz, j bigint)
 WHERE t.schedule_id = x.s AND t.tick_at = x.t AND t.source = 'cron'

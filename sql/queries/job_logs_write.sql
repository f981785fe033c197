-- job_logs_write: the ctx.log lines and ctx.progress values of many jobs, one statement
-- per status batch (or heartbeat), keeping each job's newest 100 lines / 64 KiB.
--   $1 json  array of {i: job id, l: [lines], p?: progress}  (p absent: progress unchanged)
-- One upsert by job_logs' primary key; the trim reads only the row's own lines.
WITH input AS (
  SELECT (x ->> 'i')::bigint AS job_id, coalesce(x -> 'l', '[]') AS lines, x -> 'p' AS progress
    FROM jsonb_array_elements($1::jsonb) AS x
)
INSERT INTO {{schema}}.job_logs AS g (job_id, lines, progress, updated_at)
SELECT i.job_id, i.lines, i.progress, now() FROM input i
ON CONFLICT (job_id) DO UPDATE
   SET lines = (SELECT coalesce(jsonb_agg(k.e ORDER BY k.n), '[]')
                  FROM (SELECT t.e, t.n,
                               row_number() OVER (ORDER BY t.n DESC) AS rn,
                               sum(octet_length(t.e::text)) OVER (ORDER BY t.n DESC) AS cum
                          FROM jsonb_array_elements(g.lines || excluded.lines) WITH ORDINALITY AS t(e, n)) k
                 WHERE k.rn <= 100 AND k.cum <= 65536),
       progress = coalesce(excluded.progress, g.progress),
       updated_at = now()

-- count_done: how many finished jobs match a filter (a bulk write's dry run).
--   <where> = done_where.sql   $7 jsonb payload fragment
SELECT count(*)::bigint AS n FROM {{schema}}.jobs_done j WHERE {{where}} AND ($7::jsonb IS NULL OR j.payload @> $7::jsonb)

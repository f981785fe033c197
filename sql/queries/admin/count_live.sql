-- count_live: how many live jobs match a filter (a bulk write's dry run).
--   <where> = live_where.sql   $7 jsonb payload fragment
SELECT count(*)::bigint AS n FROM {{schema}}.jobs j WHERE {{where}} AND ($7::jsonb IS NULL OR j.payload @> $7::jsonb)

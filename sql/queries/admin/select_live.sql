-- select_live: ids of live jobs matching a filter, for bulk writes, a chunk at a time
-- (id DESC). <where> = live_where.sql; payload containment is exact here.
--   $7 jsonb payload fragment   $8 bigint after id   $9 int chunk size
SELECT j.id
  FROM {{schema}}.jobs j
 WHERE {{where}}
   AND ($7::jsonb IS NULL OR j.payload @> $7::jsonb)
   AND ($8::bigint IS NULL OR j.id < $8)
 ORDER BY j.id DESC
 LIMIT $9

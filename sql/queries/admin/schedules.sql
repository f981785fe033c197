-- schedules: one page of schedule definitions, by name (unique).
--   $1 text after name (cursor, NULL: first page)   $2 int page size + 1
SELECT s.* FROM {{schema}}.schedules s
 WHERE $1::text IS NULL OR s.name > $1
 ORDER BY s.name
 LIMIT $2

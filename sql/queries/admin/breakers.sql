-- breakers: one page of circuit breakers, by (kind, name) (the primary key).
--   $1 text after kind   $2 text after name (cursor; NULL: first page)   $3 int page size + 1
SELECT * FROM {{schema}}.breaker_status b
 WHERE $1::text IS NULL OR (b.kind, b.name) > ($1, $2)
 ORDER BY b.kind, b.name
 LIMIT $3

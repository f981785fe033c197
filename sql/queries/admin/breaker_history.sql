-- breaker_history: one page of breaker state changes and operator actions, newest first.
--   $1 text kind (NULL: all)   $2 text name   $3 bigint before id (cursor)   $4 int page size + 1
-- All: the primary key backwards; one breaker: breaker_history_idx (kind, name, at DESC).
SELECT h.id, h.kind, h.name, h.from_state, h.to_state, h.reason, h.calls, h.failures, h.cooldown_ms, h.actor, h.at
  FROM {{schema}}.breaker_history h
 WHERE ($1::text IS NULL OR (h.kind = $1 AND h.name = $2))
   AND ($3::bigint IS NULL OR h.id < $3)
 ORDER BY h.id DESC
 LIMIT $4

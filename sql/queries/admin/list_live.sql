-- list_live: a page of live jobs, newest first (id DESC), <where> = live_where.sql.
--   $7 jsonb payload fragment (containment, NULL: none)   $8 bigint after id (cursor)
--   $9 int page size + 1   $10 int how many rows to examine at most
-- Payload containment is not indexed (a GIN index on jobs would cost every enqueue and
-- claim): the page examines at most $10 rows in id order and tests them, so a search
-- costs the same whatever the table's size; the caller continues from the last row
-- examined (docs/admin-api.md has the measurement). Without a payload, $10 = $9.
-- Always one row at least: scanned_min / scanned_n describe what was examined.
WITH scanned AS (
  SELECT j.id, ($7::jsonb IS NULL OR j.payload @> $7::jsonb) AS hit
    FROM {{schema}}.jobs j
   WHERE {{where}}
     AND ($8::bigint IS NULL OR j.id < $8)
   ORDER BY j.id DESC
   LIMIT $10
),
hits AS (SELECT s.id FROM scanned s WHERE s.hit ORDER BY s.id DESC LIMIT $9)
SELECT r.*, m.scanned_min, m.scanned_n
  FROM (SELECT min(s.id) AS scanned_min, count(*)::int AS scanned_n FROM scanned s) m
  LEFT JOIN LATERAL (
    SELECT j.id, j.queue, j.tenant, j.priority,
           CASE WHEN j.state = 'available' AND j.run_at > now() THEN 'scheduled' ELSE j.state END AS state,
           j.attempt, j.max_attempts, j.run_at, j.created_at, j.started_at, NULL::timestamptz AS finished_at,
           NULL::text AS finished_key, j.locked_by
      FROM {{schema}}.jobs j
     WHERE j.id IN (SELECT h.id FROM hits h)
  ) r ON true
 ORDER BY r.id DESC

-- list_done: a page of finished jobs, newest finished first ((finished_at, id) DESC),
-- <where> = done_where.sql.
--   $7 jsonb payload fragment   $8 text after finished_at (cursor, full precision)
--   $9 bigint after id   $10 int page size + 1   $11 int rows to examine at most
-- Indexes, per daily partition, read backwards: for a tenant, one read of
-- jobs_done_tenant_idx (queue, tenant, finished_at, id) per queue; otherwise one read of
-- jobs_done_queue_idx (queue, state, finished_at) per queue and state (the three
-- finished states when none is asked for), merged. There is no (queue, finished_at)
-- index: each index on jobs_done costs every finish an insert, and this one (dropped by
-- migration 0013) was read by the queue-only list alone; bench/experiments/
-- finish-index-plans.ts has the plans with and without it. Rows finished by one
-- statement share finished_at, so a read past the cursor sorts one such group by id
-- (an Incremental Sort): at most a finish batch (1,000 rows) more per queue and state.
-- So a page reads about its size in index entries per queue (and state).
-- Payload containment: bounded like list_live.sql.
WITH scanned AS (
  -- One ordered index read per queue (queue_state lists every queue that ever had a
  -- job) and, without a tenant, per state, merged, so a state or tenant filter never
  -- wades through the newest rows of another, busier queue or state. The two branches
  -- are exclusive on $2; the other's one-time filter is false and it reads nothing.
  SELECT x.id, x.finished_at, x.hit
    FROM ((SELECT y.* FROM (SELECT q.queue FROM {{schema}}.queue_state q WHERE $1::text IS NULL OR q.queue = $1) qs
            CROSS JOIN (SELECT DISTINCT u.state FROM unnest(coalesce($3::text[], '{completed,dead,cancelled}')) u(state)) st
            CROSS JOIN LATERAL (
              SELECT j.id, j.finished_at, ($7::jsonb IS NULL OR j.payload @> $7::jsonb) AS hit
                FROM {{schema}}.jobs_done j
               WHERE j.queue = qs.queue AND j.state = st.state AND {{where}}
                 AND ($8::timestamptz IS NULL OR (j.finished_at, j.id) < ($8::timestamptz, $9::bigint))
               ORDER BY j.finished_at DESC, j.id DESC
               LIMIT $11) y
           WHERE $2::text IS NULL)
          UNION ALL
          (SELECT y.* FROM (SELECT q.queue FROM {{schema}}.queue_state q WHERE $1::text IS NULL OR q.queue = $1) qs
            CROSS JOIN LATERAL (
              SELECT j.id, j.finished_at, ($7::jsonb IS NULL OR j.payload @> $7::jsonb) AS hit
                FROM {{schema}}.jobs_done j
               WHERE j.queue = qs.queue AND {{where}}
                 AND ($8::timestamptz IS NULL OR (j.finished_at, j.id) < ($8::timestamptz, $9::bigint))
               ORDER BY j.finished_at DESC, j.id DESC
               LIMIT $11) y
           WHERE $2::text IS NOT NULL)) x
   ORDER BY x.finished_at DESC, x.id DESC
   LIMIT $11
),
hits AS (SELECT s.id, s.finished_at FROM scanned s WHERE s.hit ORDER BY s.finished_at DESC, s.id DESC LIMIT $10),
last AS (SELECT s.id, s.finished_at FROM scanned s ORDER BY s.finished_at, s.id LIMIT 1)
SELECT r.*, (SELECT l.finished_at::text FROM last l) AS scanned_min_key, (SELECT l.id FROM last l) AS scanned_min,
       m.scanned_n
  FROM (SELECT count(*)::int AS scanned_n FROM scanned) m
  LEFT JOIN LATERAL (
    SELECT j.id, j.queue, j.tenant, j.priority, j.state, j.attempt, j.max_attempts, j.run_at, j.created_at, j.started_at,
           j.finished_at, j.finished_at::text AS finished_key, NULL::text AS locked_by
      FROM {{schema}}.jobs_done j JOIN hits h ON h.id = j.id AND h.finished_at = j.finished_at
  ) r ON true
 ORDER BY r.finished_at DESC, r.id DESC

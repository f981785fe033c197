-- queues: every queue (or one) with its settings and its waiting / running counts from
-- the claim's counters (as queue_counts.sql), the age of its oldest due job and the
-- jobs finished over the last minute.
--   $1 text tenant (NULL: whole queues; a tenant: its figures only)   $2 text queue (NULL: all)
-- oldest_ready_at looks at the first due job of the next 200 lanes in claim order
-- (lane_active_idx, one jobs_lane_idx probe each): exact while a queue has at most 200
-- tenant-priority lanes with due work, the oldest of those served next otherwise.
-- Throughput reads the last minute of jobs_done through jobs_done_recent_idx.
WITH pend AS (
  SELECT c.queue, sum(u.d_ready)::bigint AS d_ready, sum(u.d_running)::bigint AS d_running
    FROM {{schema}}.lane_changes c
   CROSS JOIN LATERAL unnest(c.tenants, c.d_ready, c.d_running) AS u(tenant, d_ready, d_running)
   WHERE ($1::text IS NULL OR u.tenant = $1) AND ($2::text IS NULL OR c.queue = $2)
   GROUP BY c.queue
),
lanes AS (
  SELECT l.queue, sum(l.ready)::bigint AS ready FROM {{schema}}.lane_state l
   WHERE ($1::text IS NULL OR l.tenant = $1) AND ($2::text IS NULL OR l.queue = $2)
   GROUP BY l.queue
),
recent AS (
  SELECT d.queue, count(*) FILTER (WHERE d.state = 'completed')::bigint AS completed,
         count(*) FILTER (WHERE d.state = 'dead')::bigint AS dead
    FROM {{schema}}.jobs_done d
   WHERE d.finished_at > now() - interval '1 minute'
     AND ($1::text IS NULL OR d.tenant = $1) AND ($2::text IS NULL OR d.queue = $2)
   GROUP BY d.queue
)
SELECT q.queue, q.concurrency, q.tenant_concurrency, q.rate_limit, q.rate_period_ms, q.rate_burst,
       q.tenant_rate_limit, q.tenant_rate_period_ms, q.tenant_rate_burst, q.aging_ms, q.configured_at,
       q.held_until = 'infinity' AS paused,
       CASE WHEN q.held_until > now() AND q.held_until < 'infinity' THEN q.held_until END AS held_until,
       (coalesce(l.ready, 0) + coalesce(p.d_ready, 0))::bigint AS waiting,
       (CASE WHEN $1::text IS NULL THEN q.running ELSE coalesce(t.running, 0) END + coalesce(p.d_running, 0))::bigint AS running,
       (SELECT min(f.run_at)
          FROM (SELECT a.tenant, a.priority FROM {{schema}}.lane_state a
                 WHERE a.queue = q.queue AND a.ready > 0 AND a.parked_until IS NULL AND ($1::text IS NULL OR a.tenant = $1)
                 ORDER BY a.tier, a.vtime LIMIT 200) a
         CROSS JOIN LATERAL (
           SELECT jb.run_at FROM {{schema}}.jobs jb
            WHERE jb.queue = q.queue AND jb.tenant = a.tenant AND jb.priority = a.priority
              AND jb.state = 'available' AND jb.run_at <= now()
            ORDER BY jb.run_at, jb.id LIMIT 1) f) AS oldest_ready_at,
       coalesce(r.completed, 0) AS completed_last_minute,
       coalesce(r.dead, 0) AS dead_last_minute
  FROM {{schema}}.queue_state q
  LEFT JOIN {{schema}}.tenant_state t ON $1::text IS NOT NULL AND t.queue = q.queue AND t.tenant = $1
  LEFT JOIN lanes l ON l.queue = q.queue
  LEFT JOIN pend p ON p.queue = q.queue
  LEFT JOIN recent r ON r.queue = q.queue
 WHERE $2::text IS NULL OR q.queue = $2
 ORDER BY q.queue

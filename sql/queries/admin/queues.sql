-- queues: every queue (or one) with its settings and its waiting / running counts from
-- the claim's counters (as queue_counts.sql), the age of its oldest due job and the
-- jobs finished over the last minute.
--   $1 text tenant (NULL: whole queues; a tenant: its figures only)   $2 text queue (NULL: all)
-- oldest_ready_at looks at the first due job of the next 200 lanes in claim order
-- (lane_active_idx, one jobs_lane_idx probe each): exact while a queue has at most 200
-- tenant-priority lanes with due work, the oldest of those served next otherwise.
-- Throughput: jobs finished per second over the last 10 s, from at most the newest
-- 2,000 of them per queue and state (jobs_done_queue_idx backwards), so its cost is
-- bounded however fast the queue runs (over 200/s it is the rate of those 2,000).
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
rate AS (
  SELECT q.queue, st.state,
         CASE WHEN r.n >= 2000 THEN r.n / greatest(0.001, extract(epoch FROM now() - r.since)) ELSE r.n / 10.0 END AS per_sec
    FROM {{schema}}.queue_state q
   CROSS JOIN (VALUES ('completed'), ('dead')) AS st(state)
   CROSS JOIN LATERAL (
     SELECT count(*) AS n, min(x.finished_at) AS since
       FROM (SELECT d.finished_at FROM {{schema}}.jobs_done d
              WHERE d.queue = q.queue AND d.state = st.state AND d.finished_at > now() - interval '10 seconds'
                AND ($1::text IS NULL OR d.tenant = $1)
              ORDER BY d.finished_at DESC LIMIT 2000) x) r
   WHERE $2::text IS NULL OR q.queue = $2
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
       (SELECT r.per_sec FROM rate r WHERE r.queue = q.queue AND r.state = 'completed')::double precision AS completed_per_sec,
       (SELECT r.per_sec FROM rate r WHERE r.queue = q.queue AND r.state = 'dead')::double precision AS dead_per_sec
  FROM {{schema}}.queue_state q
  LEFT JOIN {{schema}}.tenant_state t ON $1::text IS NOT NULL AND t.queue = q.queue AND t.tenant = $1
  LEFT JOIN lanes l ON l.queue = q.queue
  LEFT JOIN pend p ON p.queue = q.queue
 WHERE $2::text IS NULL OR q.queue = $2
 ORDER BY q.queue

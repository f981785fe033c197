-- queues: every queue (or one) with its settings and its waiting / running counts from
-- the claim's counters (as queue_counts.sql), the age of its oldest due job and the
-- jobs finished over the last minute.
--   $1 text tenant (NULL: whole queues; a tenant: its figures only)   $2 text queue (NULL: all)
--   $3 text after queue (cursor; NULL: first page)   $4 int page size + 1 (NULL: no limit)
-- qs takes one page of queue_state by its primary key first; the counts look at those
-- queues only.
-- oldest_ready_at looks at the first due job of the next 50 lanes in claim order
-- (lane_active_idx, one jobs_lane_idx probe each): exact while a queue has at most 50
-- tenant-priority lanes with due work, the oldest of those served next otherwise.
-- Throughput: the attempts finished per second that each live worker process reported
-- with its last heartbeat (stats.throughput, averaged since its previous one), summed:
-- nothing is counted in jobs_done, whose newest rows a fast queue writes by the
-- thousand per second. Not given to a tenant-scoped caller (it is the whole queue's).
WITH qs AS (
  SELECT q.* FROM {{schema}}.queue_state q
   WHERE ($2::text IS NULL OR q.queue = $2) AND ($3::text IS NULL OR q.queue > $3)
   ORDER BY q.queue
   LIMIT $4
),
pend AS (
  SELECT c.queue, sum(u.d_ready)::bigint AS d_ready, sum(u.d_running)::bigint AS d_running
    FROM {{schema}}.lane_changes c
   CROSS JOIN LATERAL unnest(c.tenants, c.d_ready, c.d_running) AS u(tenant, d_ready, d_running)
   WHERE ($1::text IS NULL OR u.tenant = $1) AND c.queue IN (SELECT queue FROM qs)
   GROUP BY c.queue
),
lanes AS (
  SELECT l.queue, sum(l.ready)::bigint AS ready FROM {{schema}}.lane_state l
   WHERE ($1::text IS NULL OR l.tenant = $1) AND l.queue IN (SELECT queue FROM qs)
   GROUP BY l.queue
)
SELECT q.queue, q.concurrency, q.tenant_concurrency, q.rate_limit, q.rate_period_ms, q.rate_burst,
       q.tenant_rate_limit, q.tenant_rate_period_ms, q.tenant_rate_burst, q.aging_ms, q.configured_at,
       q.retry_max_attempts, q.retry_base_ms, q.retry_max_ms, q.retry_jitter,
       q.held_until = 'infinity' AS paused,
       CASE WHEN q.held_until > now() AND q.held_until < 'infinity' THEN q.held_until END AS held_until,
       (coalesce(l.ready, 0) + coalesce(p.d_ready, 0))::bigint AS waiting,
       -- One tenant's running jobs are counted from the jobs (tenant_state.running is kept only
       -- for tenants with a concurrency limit: sql/functions/tenant_running.sql).
       CASE WHEN $1::text IS NULL THEN q.running + coalesce(p.d_running, 0)
            ELSE (SELECT count(*) FROM {{schema}}.jobs j WHERE j.queue = q.queue AND j.tenant = $1 AND j.state = 'running') END::bigint AS running,
       (SELECT min(f.run_at)
          FROM (SELECT a.tenant, a.priority FROM {{schema}}.lane_state a
                 WHERE a.queue = q.queue AND a.ready > 0 AND a.parked_until IS NULL AND ($1::text IS NULL OR a.tenant = $1)
                 ORDER BY a.tier, a.vtime LIMIT 50) a
         CROSS JOIN LATERAL (
           SELECT jb.run_at FROM {{schema}}.jobs jb
            WHERE jb.queue = q.queue AND jb.tenant = a.tenant AND jb.priority = a.priority
              AND jb.state = 'available' AND jb.run_at <= now()
            ORDER BY jb.run_at, jb.id LIMIT 1) f) AS oldest_ready_at,
       CASE WHEN $1::text IS NULL THEN
         (SELECT coalesce(sum((w.stats -> 'throughput' ->> q.queue)::double precision), 0) FROM {{schema}}.workers w
           WHERE w.heartbeat_at > now() - interval '1 minute') END AS finished_per_sec
  FROM qs q
  LEFT JOIN lanes l ON l.queue = q.queue
  LEFT JOIN pend p ON p.queue = q.queue
 ORDER BY q.queue

-- queue_counts: per queue, waiting and running jobs from the fair claim's counters
-- (lane_state, queue_state / tenant_state) plus the changes journaled since the last
-- claim folded them (lane_changes), so the figures are exact without reading jobs.
--   $1 text tenant (NULL: whole queues; a tenant: that tenant's figures only)
-- Cost: one pass over lane_state (a row per queue, tenant and priority with jobs ever)
-- and the few unfolded lane_changes rows; no GROUP BY over jobs.
WITH pend AS (
  SELECT c.queue, sum(u.d_ready)::bigint AS d_ready, sum(u.d_running)::bigint AS d_running
    FROM {{schema}}.lane_changes c
   CROSS JOIN LATERAL unnest(c.tenants, c.d_ready, c.d_running) AS u(tenant, d_ready, d_running)
   WHERE $1::text IS NULL OR u.tenant = $1
   GROUP BY c.queue
),
lanes AS (
  SELECT l.queue, sum(l.ready)::bigint AS ready FROM {{schema}}.lane_state l
   WHERE $1::text IS NULL OR l.tenant = $1
   GROUP BY l.queue
),
running AS (
  SELECT q.queue, CASE WHEN $1::text IS NULL THEN q.running ELSE coalesce(t.running, 0) END AS running
    FROM {{schema}}.queue_state q
    LEFT JOIN {{schema}}.tenant_state t ON t.queue = q.queue AND t.tenant = $1
)
SELECT r.queue,
       (coalesce(l.ready, 0) + coalesce(p.d_ready, 0))::bigint AS waiting,
       (r.running + coalesce(p.d_running, 0))::bigint AS running
  FROM running r
  LEFT JOIN lanes l ON l.queue = r.queue
  LEFT JOIN pend p ON p.queue = r.queue
 ORDER BY r.queue

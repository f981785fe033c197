-- queue_gauges: per queue, from the claim's counters (never a count over the jobs
-- table): jobs ready now, delayed (scheduled), running, and the age of the oldest
-- ready job. Counts include changes not yet folded in by a claim (lane_changes).
-- A lane parked until a future time (its next job's run_at, a rate-limit hold) counts
-- as scheduled; a lane parked at 'infinity' (tenant at its concurrency limit) as ready.
-- The oldest ready job is the first job of each claimable lane (jobs_lane_idx, one
-- probe per lane with work), so the cost follows the number of busy lanes.
WITH pending AS (
  -- One unnest of all the arrays (subscripting each element would detoast the arrays once per element).
  SELECT c.queue, u.tenant, u.priority, u.d_ready, u.d_running, u.ready_at
    FROM {{schema}}.lane_changes c,
         unnest(c.tenants, c.priorities, c.d_ready, c.d_running, c.ready_at) AS u(tenant, priority, d_ready, d_running, ready_at)
), lanes AS (
  -- Lanes a claim has not seen yet exist only in lane_changes: a full join keeps them.
  SELECT queue, tenant, priority,
         coalesce(l.ready, 0) + coalesce(p.d_ready, 0) AS ready,
         CASE WHEN l.queue IS NULL THEN coalesce(p.ready_at > now(), false)
              ELSE l.parked_until IS NOT NULL AND l.parked_until > now() AND l.parked_until <> 'infinity' END AS delayed
    FROM {{schema}}.lane_state l
    FULL JOIN (SELECT queue, tenant, priority, sum(d_ready) AS d_ready, min(ready_at) AS ready_at FROM pending GROUP BY 1, 2, 3) p
      USING (queue, tenant, priority)
), q AS (
  SELECT queue, sum(ready) FILTER (WHERE NOT delayed)::bigint AS ready, sum(ready) FILTER (WHERE delayed)::bigint AS scheduled
    FROM lanes GROUP BY queue
), oldest AS (
  SELECT l.queue, min(j.run_at) AS run_at
    FROM lanes l
    CROSS JOIN LATERAL (
      SELECT run_at FROM {{schema}}.jobs j
       WHERE j.queue = l.queue AND j.tenant = l.tenant AND j.priority = l.priority AND j.state = 'available'
       ORDER BY run_at, id LIMIT 1) j
   WHERE l.ready > 0 AND NOT l.delayed AND j.run_at <= now()
   GROUP BY l.queue
)
SELECT s.queue, coalesce(q.ready, 0) AS ready, coalesce(q.scheduled, 0) AS scheduled,
       (s.running + coalesce((SELECT sum(d_running) FROM pending p WHERE p.queue = s.queue), 0))::bigint AS running,
       coalesce(extract(epoch FROM now() - o.run_at) * 1000, 0)::float8 AS oldest_ready_ms,
       -- Paused by an operator (rota.admin queue pause holds the queue until 'infinity').
       coalesce(s.held_until = 'infinity', false) AS paused
  FROM {{schema}}.queue_state s
  LEFT JOIN q USING (queue)
  LEFT JOIN oldest o USING (queue)
 ORDER BY s.queue

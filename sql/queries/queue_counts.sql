-- queue_counts: jobs per queue and state. Waiting ('available', delayed ones included)
-- and running come from the fair claim's counters (lane_state, queue_state) plus the
-- changes journaled since the last claim folded them (lane_changes): exact, and no scan
-- of jobs however long the backlog. Finished states: jobs_done over the window, through
-- jobs_done_recent_idx. Zero counts are left out.
--   $1 interval-ms window for finished jobs.
WITH pend AS (
  SELECT c.queue, sum(u.d_ready)::bigint AS d_ready, sum(u.d_running)::bigint AS d_running
    FROM {{schema}}.lane_changes c
   CROSS JOIN LATERAL unnest(c.d_ready, c.d_running) AS u(d_ready, d_running)
   GROUP BY c.queue
),
lanes AS (
  SELECT l.queue, sum(l.ready)::bigint AS ready FROM {{schema}}.lane_state l GROUP BY l.queue
),
live AS (
  SELECT q.queue, coalesce(l.ready, 0) + coalesce(p.d_ready, 0) AS waiting, q.running + coalesce(p.d_running, 0) AS running
    FROM {{schema}}.queue_state q
    LEFT JOIN lanes l ON l.queue = q.queue
    LEFT JOIN pend p ON p.queue = q.queue
)
SELECT queue, 'available' AS state, waiting AS n FROM live WHERE waiting > 0
UNION ALL
SELECT queue, 'running', running FROM live WHERE running > 0
UNION ALL
SELECT queue, state, count(*)::bigint
  FROM {{schema}}.jobs_done WHERE finished_at > now() - $1 * interval '1 millisecond' GROUP BY 1, 2
ORDER BY 1, 2

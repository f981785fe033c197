-- queue_counts: jobs per queue and state (live table by its indexes, finished ones
-- within the window).  $1 interval-ms window for finished jobs.
SELECT queue, CASE WHEN state = 'available' AND run_at > now() THEN 'scheduled' ELSE state END AS state, count(*)::bigint AS n
  FROM {{schema}}.jobs GROUP BY 1, 2
UNION ALL
SELECT queue, state, count(*)::bigint
  FROM {{schema}}.jobs_done WHERE finished_at > now() - $1 * interval '1 millisecond' GROUP BY 1, 2
ORDER BY 1, 2

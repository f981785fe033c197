-- delete_jobs: remove jobs wherever they are (live or finished) with their logs.
--   $1 bigint[] ids   $2 text tenant (NULL: any)   $3 text notify channel
-- A deleted waiting job leaves its lane's ready count, a deleted running job its
-- tenant's and queue's running count, through one lane_changes row per queue; its
-- worker is told to abort (NOTIFY, as cancel_jobs.sql) and its late finish matches no
-- row, so nothing is counted twice.
WITH live AS (
  DELETE FROM {{schema}}.jobs j
   WHERE j.id = ANY ($1::bigint[]) AND ($2::text IS NULL OR j.tenant = $2)
  RETURNING j.id, j.queue, j.tenant, j.priority, j.state
),
journaled AS (
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running)
  SELECT g.queue, array_agg(g.tenant), array_agg(g.priority), array_agg(g.d_ready), array_agg(g.d_running)
    FROM (SELECT queue, tenant, priority,
                 -(count(*) FILTER (WHERE state = 'available'))::int AS d_ready,
                 -(count(*) FILTER (WHERE state = 'running'))::int AS d_running
            FROM live GROUP BY 1, 2, 3) g
   GROUP BY g.queue
),
notified AS (
  SELECT count(pg_notify($3, l.id::text)) AS n FROM live l WHERE l.state = 'running'
),
done AS (
  DELETE FROM {{schema}}.jobs_done d
   WHERE d.id = ANY ($1::bigint[]) AND ($2::text IS NULL OR d.tenant = $2)
  RETURNING d.id
),
logs AS (
  DELETE FROM {{schema}}.job_logs g
   WHERE g.job_id IN (SELECT id FROM live UNION ALL SELECT id FROM done)
)
SELECT ((SELECT count(*) FROM live) + (SELECT count(*) FROM done))::int AS deleted,
       (SELECT n FROM notified)::int AS notified

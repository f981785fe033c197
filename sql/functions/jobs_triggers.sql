-- Trigger functions on jobs (the triggers themselves are created by migrations
-- 0001 and 0003).
-- {{schema}} is replaced by the configured schema name (validated, quoted). This file is
-- applied by migrate() after the migrations, whenever its checksum changed (see
-- src/db/functions.ts): edit it in place; CREATE OR REPLACE keeps dependants (triggers,
-- views) attached. A change of arguments or result type needs a DROP FUNCTION first.

-- Wake workers when runnable jobs arrive. One notification per (statement, queue):
-- a bulk insert of 5,000 jobs sends one. Delayed jobs are found by polling.
CREATE OR REPLACE FUNCTION {{schema}}.notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  q text;
BEGIN
  FOR q IN SELECT DISTINCT n.queue FROM new_jobs n WHERE n.run_at <= now() LOOP
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.jobs', q);
  END LOOP;
  RETURN NULL;
END;
$$;

-- Enqueue (and any other insert): register the queue and count the new jobs in, once
-- per statement. INSERT … ON CONFLICT DO NOTHING on an existing queue row takes no
-- lock, so enqueues never wait for claims.
CREATE OR REPLACE FUNCTION {{schema}}.note_jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.queue_state (queue)
  SELECT DISTINCT n.queue FROM new_jobs n
  ON CONFLICT (queue) DO NOTHING;
  INSERT INTO {{schema}}.lane_changes (queue, tenants, priorities, d_ready, d_running, ready_at)
  SELECT g.queue, array_agg(g.tenant), array_agg(g.priority), array_agg(g.n), array_agg(0), array_agg(g.ready_at)
    FROM (SELECT n.queue, n.tenant, n.priority, count(*)::int AS n, min(n.run_at) AS ready_at
            FROM new_jobs n WHERE n.state = 'available'
           GROUP BY 1, 2, 3) g
   GROUP BY g.queue;
  RETURN NULL;
END;
$$;

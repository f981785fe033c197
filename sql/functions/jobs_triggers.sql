-- Trigger functions on jobs (the triggers themselves are created by migrations
-- 0001 and 0003).
-- {{schema}} is replaced by the configured schema name (validated, quoted). This file is
-- applied by migrate() after the migrations, whenever its checksum changed (see
-- src/db/functions.ts): edit it in place; CREATE OR REPLACE keeps dependants (triggers,
-- views) attached. A change of arguments or result type needs a DROP FUNCTION first.

-- Wake workers when runnable jobs arrive. One notification per (statement, queue):
-- a bulk insert of 5,000 jobs sends one. Delayed jobs are found by polling.
-- Payload: the queue name, chr(31) (a control character, never in a queue or tenant
-- name), the best priority rank inserted (0 = urgent), and, when every job the statement
-- inserted in that queue belongs to one tenant, chr(31), that tenant, chr(31) and how many
-- jobs it inserted for it. A worker whose
-- buffer is full still claims at once for a higher tier than it holds, and for a tenant
-- it holds no job of (src/worker/claim-loop.ts): a tenant that just arrived must not wait
-- for a buffer filled with another tenant's backlog to drain.
CREATE OR REPLACE FUNCTION {{schema}}.notify_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  q text;
  p smallint;
  t text;
  c int;
BEGIN
  FOR q, p, t, c IN
    SELECT n.queue, min(n.priority), CASE WHEN min(n.tenant) = max(n.tenant) THEN min(n.tenant) END, count(*)::int
      FROM new_jobs n WHERE n.run_at <= now() GROUP BY n.queue
  LOOP
    PERFORM pg_notify(TG_TABLE_SCHEMA || '.jobs', q || chr(31) || p || coalesce(chr(31) || t || chr(31) || c, ''));
  END LOOP;
  RETURN NULL;
END;
$$;

-- Enqueue (and any other insert): register the queue and count the new jobs in, once
-- per statement. Neither touches a row a claim writes, so enqueues never wait for claims.
CREATE OR REPLACE FUNCTION {{schema}}.note_jobs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Only queues not seen yet: ON CONFLICT's uniqueness check waits for any transaction
  -- that has written the queue's row and not committed, i.e. for a claim in flight
  -- (claims update it), which put every enqueue behind the claim (tens of ms in a burst).
  INSERT INTO {{schema}}.queue_state (queue)
  SELECT DISTINCT n.queue FROM new_jobs n
   WHERE NOT EXISTS (SELECT 1 FROM {{schema}}.queue_state s WHERE s.queue = n.queue)
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

-- The API benchmark's data: 1,000,000 jobs in queue 'bench' over 10,000 tenants (one
-- tenant holds a fifth of them), 400,000 live (a tenth delayed a day) and 600,000
-- finished over the last hours (90 % completed, 8 % dead, 2 % cancelled). One in a
-- thousand payloads has kind 'rare' (what the payload search looks for).
-- {{schema}} is replaced by the schema name.
INSERT INTO {{schema}}.jobs (queue, tenant, priority, payload, run_at, created_at)
SELECT 'bench', 't' || CASE WHEN i % 5 = 0 THEN 0 ELSE i % 10000 END, (i % 4)::smallint,
       jsonb_build_object('order', i, 'kind', CASE WHEN i % 1000 = 0 THEN 'rare' ELSE 'common' END,
                          'customer', jsonb_build_object('id', i % 50000)),
       now() + CASE WHEN i % 10 = 0 THEN interval '1 day' ELSE interval '0' END,
       now() - (400000 - i) * interval '1 ms'
  FROM generate_series(1, 400000) AS i;

INSERT INTO {{schema}}.jobs_done
       (id, queue, tenant, priority, state, payload, result, errors, attempt, max_attempts, run_at, created_at, started_at, finished_at, attempts)
SELECT nextval(pg_get_serial_sequence('{{schema}}.jobs', 'id')), 'bench',
       't' || CASE WHEN i % 5 = 0 THEN 0 ELSE i % 10000 END, (i % 4)::smallint,
       CASE WHEN i % 100 < 90 THEN 'completed' WHEN i % 100 < 98 THEN 'dead' ELSE 'cancelled' END,
       jsonb_build_object('order', -i, 'kind', CASE WHEN i % 1000 = 0 THEN 'rare' ELSE 'common' END,
                          'customer', jsonb_build_object('id', i % 50000)),
       CASE WHEN i % 100 < 90 THEN '{"ok":true}'::jsonb END,
       CASE WHEN i % 100 BETWEEN 90 AND 97 THEN '[{"attempt":1,"name":"Error","message":"upstream 503"}]'::jsonb ELSE '[]'::jsonb END,
       1, 5, t.at - interval '1 s', t.at - interval '2 s', t.at - interval '1 s', t.at,
       jsonb_build_array(jsonb_build_object('attempt', 1, 'worker', 'bench', 'startedAt', t.at - interval '1 s', 'endedAt', t.at,
                                            'outcome', 'complete', 'error', NULL))
  FROM generate_series(1, 600000) AS i
 CROSS JOIN LATERAL (SELECT greatest(date_trunc('day', now()) + interval '1 s',
                                     now() - (600000 - i) * interval '50 ms') AS at) t;

-- A day of rollups for 'bench' from 4 worker processes: each row lists 10 of the 10,000
-- tenants (t0, the big one, always) and sums the rest as "~other", as topTenants 10 writes
-- them (what the tenants' share over a window reads).
INSERT INTO {{schema}}.monitor_rollups (queue, minute, worker_id, completed, failed, wait_buckets, run_buckets, tenants)
SELECT 'bench', date_trunc('minute', now()) - m * interval '1 minute', 'bench-w' || w, 955, 10,
       array_fill(0, ARRAY[19]), array_fill(0, ARRAY[19]),
       (SELECT jsonb_object_agg('t' || CASE WHEN k = 0 THEN 0 ELSE (m * 7 + w * 1013 + k * 101) % 10000 END, jsonb_build_array(50 - k, 1))
          FROM generate_series(0, 9) AS k) || jsonb_build_object('~other', jsonb_build_array(500, 0))
  FROM generate_series(0, 1439) AS m, generate_series(1, 4) AS w;

-- rollup_write: one worker process's rollup rows for the minutes it has touched since
-- its last write, as cumulative values (a repeated write is harmless).
--   $1 json array of {q, m (epoch ms), e, c, f, r, d, s, l, wb, rb, ws, rs, t}   $2 text worker id
-- Only this process writes rows with its worker_id, so the upsert never waits on another.
INSERT INTO {{schema}}.monitor_rollups AS r
       (queue, minute, worker_id, enqueued, completed, failed, retried, dead, snoozed, rate_limited,
        wait_buckets, run_buckets, wait_sum_ms, run_sum_ms, tenants)
SELECT x.q, to_timestamp(x.m / 1000.0), $2, x.e, x.c, x.f, x.r, x.d, x.s, x.l,
       ARRAY(SELECT jsonb_array_elements_text(x.wb)::int), ARRAY(SELECT jsonb_array_elements_text(x.rb)::int),
       x.ws, x.rs, x.t
  FROM jsonb_to_recordset($1::jsonb) AS x(q text, m bigint, e int, c int, f int, r int, d int, s int, l int,
                                          wb jsonb, rb jsonb, ws float8, rs float8, t jsonb)
    ON CONFLICT (queue, minute, worker_id) DO UPDATE
   SET enqueued = EXCLUDED.enqueued, completed = EXCLUDED.completed, failed = EXCLUDED.failed, retried = EXCLUDED.retried, dead = EXCLUDED.dead,
       snoozed = EXCLUDED.snoozed, rate_limited = EXCLUDED.rate_limited, wait_buckets = EXCLUDED.wait_buckets,
       run_buckets = EXCLUDED.run_buckets, wait_sum_ms = EXCLUDED.wait_sum_ms, run_sum_ms = EXCLUDED.run_sum_ms,
       tenants = EXCLUDED.tenants
 -- A folded row is in the totals already (a write that late means a clock far off): leave it.
 WHERE NOT r.folded

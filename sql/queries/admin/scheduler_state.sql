-- scheduler_state: what the schedulers are doing, from what they write: whether they
-- are paused (scheduler_control, 0005_admin.sql), the most overdue enabled schedule
-- (lag: a running scheduler keeps it under its poll interval), and the last cycle
-- recorded (the last evaluation that did something), and the processes that claimed
-- schedules most recently (scheduler_evaluators, 0009), newest first, at most 20.
SELECT (SELECT c.paused FROM {{schema}}.scheduler_control c WHERE c.id) AS paused,
       (SELECT c.changed_at FROM {{schema}}.scheduler_control c WHERE c.id) AS changed_at,
       (SELECT count(*)::int FROM {{schema}}.schedules s) AS schedules,
       (SELECT count(*)::int FROM {{schema}}.schedules s WHERE s.enabled) AS enabled,
       (SELECT min(s.next_tick_at) FROM {{schema}}.schedules s WHERE s.enabled AND s.next_tick_at <= now()) AS oldest_due_at,
       (SELECT max(t.recorded_at) FROM {{schema}}.schedule_ticks t) AS last_recorded_at,
       (SELECT coalesce(json_agg(json_build_object('worker_id', e.worker_id, 'evaluated_at', e.evaluated_at, 'claimed', e.claimed)
                                 ORDER BY e.evaluated_at DESC), '[]'::json)
          FROM (SELECT * FROM {{schema}}.scheduler_evaluators ORDER BY evaluated_at DESC LIMIT 20) e) AS evaluators

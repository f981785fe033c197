-- cancel: move a job that is not running to jobs_done as cancelled.
--   $1 bigint id
-- A running job is not touched (its handler owns it until it finishes or its lease
-- expires). move_jobs() (sql/functions/move_jobs.sql) archives it and journals its
-- lane's ready count.
SELECT m.id FROM {{schema}}.move_jobs(jsonb_build_array(jsonb_build_object('i', $1::bigint, 'k', 'cancel'))) AS m

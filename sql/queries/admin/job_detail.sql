-- job_detail: what get_job.sql does not carry: attempts, a pending cancel, logs and
-- progress.   $1 bigint id
-- A finished job's attempts through done_attempts() (sql/functions/move_jobs.sql): a
-- clean completion's last entry is derived from its row, not stored.
SELECT x.attempts, x.cancel_requested_at, g.lines AS logs, g.progress
  FROM (SELECT j.attempts, j.cancel_requested_at FROM {{schema}}.jobs j WHERE j.id = $1
        UNION ALL
        SELECT {{schema}}.done_attempts(d.attempts, d.worker, d.attempt, d.started_at, d.finished_at), NULL
          FROM {{schema}}.jobs_done d WHERE d.id = $1
        LIMIT 1) x
  LEFT JOIN {{schema}}.job_logs g ON g.job_id = $1

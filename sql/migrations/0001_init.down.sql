DROP TABLE IF EXISTS {{schema}}.workers;
DROP TRIGGER IF EXISTS jobs_notify ON {{schema}}.jobs;
DROP FUNCTION IF EXISTS {{schema}}.notify_jobs();
DROP TABLE IF EXISTS {{schema}}.jobs_done;
DROP TABLE IF EXISTS {{schema}}.jobs;

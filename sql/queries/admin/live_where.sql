-- live_where: the job filter over live jobs, spliced into the admin queries at <where>
-- (sql/queries/admin/*.sql). Parameters shared by all of them:
--   $1 text queue   $2 text tenant   $3 text[] states (available, scheduled, running)
--   $4 smallint priority   $5 timestamptz from   $6 timestamptz to (on created_at)
-- NULL means "any". Each query plans with its values (unnamed statements, custom plans),
-- so `$1::text IS NULL OR …` folds to the one condition that applies.
-- The state condition is always true; with a tenant it is there so the planner can read
-- the tenant's live jobs as a BitmapOr of the two partial indexes that cover them
-- (jobs_lane_idx for available, jobs_lease_idx for running) instead of scanning jobs:
-- 1M rows, one tenant of 10,000: 0.7 ms instead of 95 ms (docs/admin-api.md). A big
-- tenant still gets the backward primary-key scan, which finds its newest rows at once.
-- Without a tenant it folds away: offered the BitmapOr, a planner whose statistics
-- predate a bulk load (estimating ~1,600 live rows where there are 1M) read every live
-- job to sort out the newest 20,000 of a payload search (1.8 s instead of ~20 ms).
    ($2::text IS NULL OR j.state = 'available' OR j.state = 'running')
AND ($1::text IS NULL OR j.queue = $1)
AND ($2::text IS NULL OR j.tenant = $2)
AND ($3::text[] IS NULL OR (CASE WHEN j.state = 'available' AND j.run_at > now() THEN 'scheduled' ELSE j.state END) = ANY ($3::text[]))
AND ($4::smallint IS NULL OR j.priority = $4)
AND ($5::timestamptz IS NULL OR j.created_at >= $5)
AND ($6::timestamptz IS NULL OR j.created_at < $6)

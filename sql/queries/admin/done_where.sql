-- done_where: the job filter over finished jobs (jobs_done), spliced at <where>.
--   $1 text queue   $2 text tenant   $3 text[] states (completed, dead, cancelled)
--   $4 smallint priority   $5 timestamptz from   $6 timestamptz to (on finished_at, so
--   a time range prunes the daily partitions)
    ($1::text IS NULL OR j.queue = $1)
AND ($2::text IS NULL OR j.tenant = $2)
AND ($3::text[] IS NULL OR j.state = ANY ($3::text[]))
AND ($4::smallint IS NULL OR j.priority = $4)
AND ($5::timestamptz IS NULL OR j.finished_at >= $5)
AND ($6::timestamptz IS NULL OR j.finished_at < $6)

-- connections: the server's connection use against what clients may open
-- (max_connections minus the slots reserved for superusers and pg_use_reserved_connections),
-- by application name and state, from pg_stat_activity (client backends only).
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
       coalesce((SELECT jsonb_agg(jsonb_build_object('application', a.application, 'state', a.state, 'count', a.n)
                                  ORDER BY a.n DESC, a.application, a.state)
                   FROM (SELECT coalesce(nullif(s.application_name, ''), '(none)') AS application,
                                coalesce(s.state, 'unknown') AS state, count(*)::int AS n
                           FROM pg_stat_activity s
                          WHERE s.backend_type = 'client backend'
                          GROUP BY 1, 2) a), '[]') AS by_application,
       (SELECT count(*)::int FROM pg_stat_activity s WHERE s.backend_type = 'client backend') AS used

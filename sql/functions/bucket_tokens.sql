-- {{schema}} is replaced by the configured schema name (validated, quoted). This file is
-- applied by migrate() after the migrations, whenever its checksum changed (see
-- src/db/functions.ts): edit it in place; CREATE OR REPLACE keeps dependants (triggers,
-- views) attached. A change of arguments or result type needs a DROP FUNCTION first.

-- Tokens in a bucket at `at`: refilled at rate_limit per period_ms, holding at most
-- burst; a bucket never used is full. NULL when there is no rate limit.
CREATE OR REPLACE FUNCTION {{schema}}.bucket_tokens(tokens double precision, tokens_at timestamptz, rate_limit integer,
                                        period_ms integer, burst integer, at timestamptz)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN rate_limit IS NULL THEN NULL
    WHEN tokens IS NULL OR tokens_at IS NULL THEN burst::double precision
    ELSE least(burst::double precision,
               tokens + greatest(0, extract(epoch FROM at - tokens_at)::double precision * 1000) * rate_limit / period_ms)
  END
$$;

DROP INDEX IF EXISTS {{schema}}.tenant_limit_idx;

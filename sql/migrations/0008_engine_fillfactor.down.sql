ALTER TABLE {{schema}}.tenant_state RESET (fillfactor);

DROP TABLE IF EXISTS {{schema}}.monitor_leases;
DROP TABLE IF EXISTS {{schema}}.alert_webhooks;
DROP TABLE IF EXISTS {{schema}}.alerts;
DROP TABLE IF EXISTS {{schema}}.alert_rules;
DROP TABLE IF EXISTS {{schema}}.monitor_totals;
DROP TABLE IF EXISTS {{schema}}.monitor_rollups;

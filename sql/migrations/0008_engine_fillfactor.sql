-- Room on each tenant_state page for updated row versions (issue #9). Every claim
-- updates the row of each tenant it serves (running, tokens) and the next claim's fold
-- updates it again when those jobs end: two updates per tenant per round. None of those
-- columns is indexed, so with free space on the page the update is HOT (no new
-- tenant_state_pkey entry, and the old version is pruned in place); packed pages
-- (the default fillfactor 100) made most of them cold. Measured with
-- bench/experiments/profile-tenants.ts (20,000 jobs over 1,000 tenants, two runs each):
-- burn-down 1,429 / 1,632 ms against 2,449 / 1,921 ms, the claim's main statement 44 / 48
-- µs per job against 71 / 53. Existing rows move to pages with room as they are updated.
ALTER TABLE {{schema}}.tenant_state SET (fillfactor = 50);

-- The tenant function only reads a setting (current_setting is parallel safe and parallel workers
-- receive the leader's settings). Left PARALLEL UNSAFE, the default, every query under
-- row-level security was planned without parallel workers: a 1M-customer segment preview ran
-- its scans on one core.
ALTER FUNCTION app_current_tenant() PARALLEL SAFE;

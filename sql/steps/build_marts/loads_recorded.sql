-- Reporting backfill: how many loads are recorded (none: a warehouse built before
-- the reporting layer, which the backfill brings up to date).
select count(*) as n from known.loads;

-- Bootstrap: the backfills a warehouse has already run (each runs once).
select backfill_name from audit.backfills;

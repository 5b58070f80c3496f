-- Which batch load the staging tables hold (ensureStaged: a step run again
-- alone reloads staging when another load has replaced it since).
select batch_id, run_id from staging.loaded_batch;

-- Reporting backfill: the latest successful run, the load everything dw holds is
-- recorded as.
select runs.run_id, runs.batch_id
from audit.runs as runs
order by runs.finished_at desc, runs.run_id desc
limit 1;

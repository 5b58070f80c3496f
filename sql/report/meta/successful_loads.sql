-- The report: the loads whose run finished (audit.runs), oldest first; the report
-- reads the warehouse as it stood after one of them (--known-at), the latest by default.
select loads.load_seq, loads.batch_id, loads.run_id, runs.finished_at
from known.loads as loads
inner join audit.runs as runs on runs.run_id = loads.run_id
order by loads.load_seq;

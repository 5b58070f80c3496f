-- BuildMarts: the load a run already recorded (a retried call changes nothing and
-- reports its figures). Parameters: :run_id.
select load_seq, versions_opened, versions_closed, restatements
from known.loads
where run_id = :run_id;

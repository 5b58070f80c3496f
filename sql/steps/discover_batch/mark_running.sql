-- DiscoverBatch: the batch picked is running under the new run id, in the
-- transaction that records the raw files it is processed from. One ledger row
-- per batch. Parameters: :batch_id, :run_id, :attempts.
delete from audit.batches where batch_id = :batch_id;

insert into audit.batches (batch_id, status, run_id, attempts, started_at)
values (:batch_id, 'running', :run_id, :attempts, {{ now }});

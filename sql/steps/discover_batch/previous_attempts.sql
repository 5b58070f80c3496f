-- DiscoverBatch: how often the batch was started before (the new run's attempt
-- is one more). Parameters: :batch_id.
select max(attempts) as attempts from audit.batches where batch_id = :batch_id;

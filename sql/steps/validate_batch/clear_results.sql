-- ValidateBatch: a run's test results start over (a retried step repeats
-- nothing), in the transaction that records the new ones. Parameters: :run_id.
delete from audit.test_results where run_id = :run_id;

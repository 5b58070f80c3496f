-- RecordFailure: the batch failed, with the error. A batch MarkBatchDone already
-- committed stays done (the failure came after it, e.g. the Lambda died before
-- returning): re-running it would change nothing but its figures; the alert still
-- goes out. Parameters: :batch_id, :run_id, :error.
update audit.batches set status = 'failed', finished_at = {{ now }}, error = :error
where batch_id = :batch_id and run_id = :run_id and status <> 'done';

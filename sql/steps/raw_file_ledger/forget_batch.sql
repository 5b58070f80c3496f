-- Raw-file ledger: forgets what it held for a batch, before the batch's files as
-- they are now are recorded (a file removed from the lake is gone from the
-- ledger too). Parameters: :batch_id.
delete from audit.batch_files where batch_id = :batch_id;

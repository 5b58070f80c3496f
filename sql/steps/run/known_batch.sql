-- ecomdw run --force --batch: the batch the warehouse knows (a forced run of a batch
-- gone from the lake withdraws what it brought; an unknown id is a typo).
-- Parameters: :batch_id.
select batch_id from audit.batches where batch_id = :batch_id;

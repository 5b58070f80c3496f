-- DiscoverBatch: every batch the ledger knows, and how far it got (a done batch
-- is not picked again unless forced).
select batch_id, status from audit.batches;

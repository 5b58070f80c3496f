-- MarkBatchDone, one transaction: the batch done in the ledger; its hand-overs
-- between steps dropped (sql/ddl/04_history.sql), only when this run's row became
-- done (a late call of a run another run has since taken over must not take that
-- run's hand-overs away); its figures in audit.runs, replacing an earlier
-- attempt's. Parameters: :batch_id, :run_id, :versions_created,
-- :fact_rows_upserted, :tests_passed, :tests_warned, :tests_failed.
update audit.batches set status = 'done', finished_at = {{ now }}, error = null
where batch_id = :batch_id and run_id = :run_id;

delete from history.batch_changed_keys
where batch_id = :batch_id
    and exists (select 1 from audit.batches as ledger where ledger.batch_id = :batch_id and ledger.run_id = :run_id and ledger.status = 'done');

delete from history.batch_created_versions
where batch_id = :batch_id
    and exists (select 1 from audit.batches as ledger where ledger.batch_id = :batch_id and ledger.run_id = :run_id and ledger.status = 'done');

delete from history.batch_affected_orders
where batch_id = :batch_id
    and exists (select 1 from audit.batches as ledger where ledger.batch_id = :batch_id and ledger.run_id = :run_id and ledger.status = 'done');

delete from history.batch_item_orders
where batch_id = :batch_id
    and exists (select 1 from audit.batches as ledger where ledger.batch_id = :batch_id and ledger.run_id = :run_id and ledger.status = 'done');

delete from audit.runs where run_id = :run_id;

insert into audit.runs (run_id, batch_id, finished_at, versions_created, fact_rows_upserted, tests_passed, tests_warned, tests_failed)
values (:run_id, :batch_id, {{ now }}, :versions_created, :fact_rows_upserted, :tests_passed, :tests_warned, :tests_failed);

-- LoadStaging, in the same transaction as the emptied staging tables: which
-- load staging holds (ensureStaged compares it), and the per-table ledger rows
-- of tables the batch no longer has (its raw folder removed before a forced
-- re-run) dropped. Parameters: :batch_id, :run_id, :loaded_tables (the batch's
-- tables as ',customers,orders,', never empty: ',,' when it has none).
delete from staging.loaded_batch;

delete from audit.table_loads
where batch_id = :batch_id
    and strpos(:loaded_tables, ',' || table_name || ',') = 0;

insert into staging.loaded_batch (batch_id, run_id) values (:batch_id, :run_id);

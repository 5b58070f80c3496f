-- LoadStaging's result: the rows staged per table, as the ledger recorded them.
-- Parameters: :batch_id.
select table_name, staged_rows from audit.table_loads where batch_id = :batch_id;

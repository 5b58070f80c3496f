-- LoadStaging, per source table, after its silver rows were copied into
-- staging: the table's conservation figures in audit.table_loads (raw = silver
-- + quarantined, from the normalization manifest; staged counted here), one row
-- per batch and table. Parameters: :batch_id, :table_name, :run_id, :files,
-- :unreadable_files, :raw_rows, :silver_rows, :quarantined_rows,
-- :extra_columns, :reject_reasons.
delete from audit.table_loads where batch_id = :batch_id and table_name = :table_name;

insert into audit.table_loads (
    batch_id, table_name, run_id, files, unreadable_files, raw_rows, silver_rows,
    quarantined_rows, staged_rows, extra_columns, reject_reasons, loaded_at
)
select
    :batch_id, :table_name, :run_id, :files, :unreadable_files, :raw_rows, :silver_rows,
    :quarantined_rows, count(*), :extra_columns, :reject_reasons, {{ now }}
from staging.{{ $table }};

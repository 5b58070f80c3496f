-- Report section quarantine: per load (up to load :known_seq, the newest
-- :load_limit) and source table, rows received and quarantined.
-- Parameters: :known_seq, :load_limit.
select
    tables.load_seq,
    tables.batch_id,
    tables.table_name,
    tables.files,
    tables.raw_rows,
    tables.silver_rows,
    tables.quarantined_rows
from known.load_tables as tables
where tables.load_seq <= :known_seq
    and tables.load_seq > :known_seq - :load_limit
order by tables.load_seq, tables.table_name

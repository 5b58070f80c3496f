-- Report section freshness: per source table, the newest change received up to
-- load :known_seq (the report measures its age against that load's time, never
-- the clock). Parameters: :known_seq.
select
    tables.table_name,
    max(tables.newest_change_at) as newest_change_at,
    max(tables.load_seq) as last_load_seq
from known.load_tables as tables
where tables.load_seq <= :known_seq
group by tables.table_name
order by tables.table_name

-- conservation: every raw row of the batch is in silver or quarantine, and every
-- silver row was staged (audit.table_loads). Parameter: :batch_id.
select loads.table_name || ': raw ' || cast(loads.raw_rows as varchar) || ', silver ' || cast(loads.silver_rows as varchar)
    || ', quarantined ' || cast(loads.quarantined_rows as varchar) || ', staged ' || cast(loads.staged_rows as varchar) as failure_key
from audit.table_loads as loads
where loads.batch_id = :batch_id
    and (loads.raw_rows <> loads.silver_rows + loads.quarantined_rows or loads.staged_rows <> loads.silver_rows)

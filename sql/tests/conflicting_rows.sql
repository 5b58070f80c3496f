-- conflicting rows: one key, one updated_at, different attributes (resolved by the
-- greatest row_hash, recorded in audit.warnings by the dimensions step). Parameter: :batch_id.
select warnings.model || ' ' || warnings.natural_key as failure_key
from audit.warnings as warnings
where warnings.batch_id = :batch_id and warnings.kind = 'conflicting_rows'

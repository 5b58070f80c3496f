-- {{ $dimension }}: keys and validity columns are never NULL.
select coalesce(dims.{{ $key }}, '<null key>') as failure_key
from dw.{{ $dimension }} as dims
where dims.{{ $sk }} is null or dims.{{ $key }} is null or dims.valid_from is null
    or dims.valid_to is null or dims.is_current is null or dims.row_hash is null

-- {{ $dimension }}: the surrogate key is unique, and so is (natural key, valid_from).
select cast(duplicates.{{ $sk }} as varchar) as failure_key
from (
    select dims.{{ $sk }} from dw.{{ $dimension }} as dims group by dims.{{ $sk }} having count(*) > 1
) as duplicates
union all
select duplicates.{{ $key }} as failure_key
from (
    select dims.{{ $key }} from dw.{{ $dimension }} as dims group by dims.{{ $key }}, dims.valid_from having count(*) > 1
) as duplicates

-- {{ $dimension }}: each key's versions tile [1900-01-01, 9999-12-31): first starts at the
-- low sentinel, each ends where the next starts (no gap, no overlap), last ends at
-- the high sentinel, exactly one is current, and no version is empty.
with ordered as (
    select
        dims.{{ $key }},
        dims.valid_from,
        dims.valid_to,
        dims.is_current,
        lag(dims.valid_to) over (partition by dims.{{ $key }} order by dims.valid_from) as previous_valid_to,
        row_number() over (partition by dims.{{ $key }} order by dims.valid_from) as version_seq
    from dw.{{ $dimension }} as dims
),

broken_versions as (
    select ordered.{{ $key }}
    from ordered
    where (ordered.version_seq = 1 and ordered.valid_from <> {{ low_sentinel }})
        or (ordered.version_seq > 1 and ordered.previous_valid_to <> ordered.valid_from)
        or ordered.valid_from >= ordered.valid_to
        or (ordered.is_current and ordered.valid_to <> {{ high_sentinel }})
        or (not ordered.is_current and ordered.valid_to = {{ high_sentinel }})
),

broken_keys as (
    select ordered.{{ $key }}
    from ordered
    group by ordered.{{ $key }}
    having sum(case when ordered.is_current then 1 else 0 end) <> 1
        or max(ordered.valid_to) <> {{ high_sentinel }}
)

select distinct failing.{{ $key }} as failure_key
from (
    select broken_versions.{{ $key }} from broken_versions
    union all
    select broken_keys.{{ $key }} from broken_keys
) as failing

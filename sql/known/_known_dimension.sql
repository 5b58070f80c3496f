-- known.{{ $table }}: the versions of the {{ $table }} the batch may have changed (its
-- {{ $table }}, the inferred members it created, the keys whose history changed), as
-- dw.{{ $dimension }} now holds them, with the attributes the reports attribute by
-- (no personal data). A version known as current that dw no longer holds as it was
-- is closed (known_to = this load); a version not known as it is now is opened
-- (known_from = this load). Set differences compare NULLs as equal. Written once
-- for both SCD2 dimensions (sql/known/_known_dimension.sql), filled in from the
-- contract. Parameters: :load_seq, :batch_id.
drop table if exists tmp_known_{{ $table }}_now;

create temp table tmp_known_{{ $table }}_now as
with touched as (
    select staged.{{ $key }} from staging.{{ $table }} as staged
    union
    -- inferred members this batch created (a key its {{ $referenced_by }} referenced, never sent)
    select dims.{{ $key }} from dw.{{ $dimension }} as dims where dims.batch_id = :batch_id
    union
    select changed.natural_key as {{ $key }} from history.batch_changed_keys as changed where changed.batch_id = :batch_id and changed.entity = '{{ $entity }}'
)

select
    {{ $known_columns(dims) }}
from dw.{{ $dimension }} as dims
inner join touched
    on touched.{{ $key }} = dims.{{ $key }};

update known.{{ $table }}
set known_to = cast(:load_seq as bigint)
from (
    select
        {{ $known_columns(known_rows) }}
    from known.{{ $table }} as known_rows
    inner join (select distinct now_rows.{{ $key }} from tmp_known_{{ $table }}_now as now_rows) as touched
        on touched.{{ $key }} = known_rows.{{ $key }}
    where known_rows.known_to is null
    except
    select * from tmp_known_{{ $table }}_now
) as closed
where known.{{ $table }}.{{ $sk }} = closed.{{ $sk }}
    and known.{{ $table }}.known_to is null;

insert into known.{{ $table }} (
    {{ $known_columns }},
    known_from, known_to
)
select
    {{ $known_columns(opened) }},
    cast(:load_seq as bigint), cast(null as bigint)
from (
    select * from tmp_known_{{ $table }}_now
    except
    select
        {{ $known_columns(known_rows) }}
    from known.{{ $table }} as known_rows
    inner join (select distinct now_rows.{{ $key }} from tmp_known_{{ $table }}_now as now_rows) as touched
        on touched.{{ $key }} = known_rows.{{ $key }}
    where known_rows.known_to is null
) as opened;

-- history.{{ $entity }}_changes and history.{{ $table }}: every distinct record each batch brought,
-- and, derived from them, the latest record per key ({{ $keys() }}).
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Written once for every source table with a latest record (sql/history/_latest_record.sql),
-- filled in from the contract's {{ $table }} table: its key and columns.
-- Leaves tmp_{{ $table }}_withdrawn (and, where a record names an order outside its key,
-- tmp_{{ $table }}_previous_orders) for the waiting rows and the affected orders.
-- Parameters: :batch_id.

-- 1. The records this batch brought before (a crash, or a forced re-run over files
-- that changed since) are withdrawn; their keys (and orders) are kept.
{{ create_temp_table(tmp_{{ $table }}_withdrawn) }} as
select distinct {{ $withdrawn_columns(changes) }}
from history.{{ $entity }}_changes as changes
where changes.batch_id = :batch_id;

delete from history.{{ $entity }}_changes where history.{{ $entity }}_changes.batch_id = :batch_id;

-- 2. The batch's distinct records (grain: key, version, row_hash).
insert into history.{{ $entity }}_changes ({{ $history_columns() }}, row_hash, batch_id)
select {{ $staged_history_columns(staged_distinct) }}, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by {{ $keys(staged) }}, {{ $staged_version(staged) }}, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.{{ $table }} as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

{{ $if moves_between_orders }}
-- The orders the touched keys' latest records named before this batch: a record
-- may move to another order, whose facts then change too.
{{ create_temp_table(tmp_{{ $table }}_previous_orders) }} as
select distinct latest.order_id
from history.{{ $table }} as latest
inner join (
    select {{ $keys(staged) }} from staging.{{ $table }} as staged
    union
    select {{ $keys(withdrawn) }} from tmp_{{ $table }}_withdrawn as withdrawn
) as touched
    on {{ $keys_match(touched, latest) }};

{{ $end }}
-- 3. The incoming latest records: for a withdrawn key, the latest of what every batch
-- brought (this one included), which replaces what history holds, or removes it when
-- no record is left (row_hash null); for the batch's other keys, the batch's latest,
-- which wins only when newer.
{{ create_temp_table(tmp_{{ $table }}_latest) }} as
with withdrawn_keys as (
    select distinct {{ $keys(withdrawn) }} from tmp_{{ $table }}_withdrawn as withdrawn
),

rederived as (
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by {{ $keys(changes) }}
                order by {{ $version(changes) }} desc, changes.row_hash desc
            ) as recency_rank
        from history.{{ $entity }}_changes as changes
        inner join withdrawn_keys
            on {{ $keys_match(withdrawn_keys, changes) }}
    ) as ranked
    where ranked.recency_rank = 1
),

staged_latest as (
    select ranked.*
    from (
        select
            staged.*,
            row_number() over (
                partition by {{ $keys(staged) }}
                order by {{ $staged_version(staged) }} desc, staged.row_hash desc
            ) as recency_rank
        from staging.{{ $table }} as staged
    ) as ranked
    where ranked.recency_rank = 1
        and not exists (select 1 from withdrawn_keys where {{ $keys_match(withdrawn_keys, ranked) }})
)

select
    {{ $keys(withdrawn_keys) }}, {{ $non_key_columns(rederived) }},
    rederived.row_hash,
    rederived.batch_id,
    true as replaces
from withdrawn_keys
left join rederived
    on {{ $keys_match(rederived, withdrawn_keys) }}
union all
select
    {{ $staged_history_columns(staged_latest) }},
    staged_latest.row_hash,
    cast(:batch_id as varchar(64)) as batch_id,
    false as replaces
from staged_latest;

-- 4. Apply them. A join (DELETE ... USING), not a correlated EXISTS: DuckDB
-- decorrelates the EXISTS with its OR into a grouping of the whole history table
-- (O(history) time and memory); the join only probes the history with the batch's keys.
delete from history.{{ $table }}
using tmp_{{ $table }}_latest as incoming
where {{ $keys_match(incoming, history.{{ $table }}) }}
    and (
        incoming.replaces
        or {{ $version(incoming) }} > {{ $version(history.{{ $table }}) }}
        or ({{ $version(incoming) }} = {{ $version(history.{{ $table }}) }} and incoming.row_hash > history.{{ $table }}.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.{{ $table }} ({{ $history_columns() }}, row_hash, batch_id)
select {{ $history_columns(incoming) }}, incoming.row_hash, incoming.batch_id
from tmp_{{ $table }}_latest as incoming
where incoming.row_hash is not null
    and not exists (
        select 1
        from (
            select {{ $keys(known) }}
            from history.{{ $table }} as known
            inner join tmp_{{ $table }}_latest as touched on {{ $keys_match(touched, known) }}
        ) as present
        where {{ $keys_match(present, incoming) }}
    );

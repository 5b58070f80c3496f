-- history.order_changes and history.orders: every distinct record each batch brought,
-- and, derived from them, the latest record per order_id.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Leaves tmp_orders_withdrawn for the waiting rows and the affected orders.
-- Parameters: :batch_id.

-- 1. The records this batch brought before (a crash, or a forced re-run over files
-- that changed since) are withdrawn; their keys (and orders) are kept.
{{ create_temp_table(tmp_orders_withdrawn) }} as
select distinct changes.order_id
from history.order_changes as changes
where changes.batch_id = :batch_id;

delete from history.order_changes where history.order_changes.batch_id = :batch_id;

-- 2. The batch's distinct records (grain: key, version, row_hash).
insert into history.order_changes (order_id, customer_id, order_ts, updated_at, status, currency, row_hash, batch_id)
select staged_distinct.order_id, staged_distinct.customer_id, staged_distinct.order_ts, staged_distinct.updated_at, staged_distinct.status, staged_distinct.currency, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.order_id, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.orders as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

-- 3. The incoming latest records: for a withdrawn key, the latest of what every batch
-- brought (this one included), which replaces what history holds, or removes it when
-- no record is left (row_hash null); for the batch's other keys, the batch's latest,
-- which wins only when newer.
{{ create_temp_table(tmp_orders_latest) }} as
with withdrawn_keys as (
    select distinct withdrawn.order_id from tmp_orders_withdrawn as withdrawn
),

rederived as (
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.order_id
                order by changes.updated_at desc, changes.row_hash desc
            ) as recency_rank
        from history.order_changes as changes
        inner join withdrawn_keys
            on withdrawn_keys.order_id = changes.order_id
    ) as ranked
    where ranked.recency_rank = 1
),

staged_latest as (
    select ranked.*
    from (
        select
            staged.*,
            row_number() over (
                partition by staged.order_id
                order by staged.updated_at desc, staged.row_hash desc
            ) as recency_rank
        from staging.orders as staged
    ) as ranked
    where ranked.recency_rank = 1
        and not exists (select 1 from withdrawn_keys where withdrawn_keys.order_id = ranked.order_id)
)

select
    withdrawn_keys.order_id, rederived.customer_id, rederived.order_ts, rederived.updated_at, rederived.status, rederived.currency,
    rederived.row_hash,
    rederived.batch_id,
    true as replaces
from withdrawn_keys
left join rederived
    on rederived.order_id = withdrawn_keys.order_id
union all
select
    staged_latest.order_id, staged_latest.customer_id, staged_latest.order_ts, staged_latest.updated_at, staged_latest.status, staged_latest.currency,
    staged_latest.row_hash,
    cast(:batch_id as varchar(64)) as batch_id,
    false as replaces
from staged_latest;

-- 4. Apply them. A join (DELETE ... USING), not a correlated EXISTS: DuckDB
-- decorrelates the EXISTS with its OR into a grouping of the whole history table
-- (O(history) time and memory); the join only probes the history with the batch's keys.
delete from history.orders
using tmp_orders_latest as incoming
where incoming.order_id = history.orders.order_id
    and (
        incoming.replaces
        or incoming.updated_at > history.orders.updated_at
        or (incoming.updated_at = history.orders.updated_at and incoming.row_hash > history.orders.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.orders (order_id, customer_id, order_ts, updated_at, status, currency, row_hash, batch_id)
select incoming.order_id, incoming.customer_id, incoming.order_ts, incoming.updated_at, incoming.status, incoming.currency, incoming.row_hash, incoming.batch_id
from tmp_orders_latest as incoming
where incoming.row_hash is not null
    and not exists (
        select 1
        from (
            select known.order_id
            from history.orders as known
            inner join tmp_orders_latest as touched on touched.order_id = known.order_id
        ) as present
        where present.order_id = incoming.order_id
    );

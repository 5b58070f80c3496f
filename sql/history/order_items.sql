-- history.order_item_changes and history.order_items: every distinct record each batch brought,
-- and, derived from them, the latest record per (order_id, line_number), deletions
-- (tombstones) included.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Leaves tmp_order_items_withdrawn for the waiting rows and the affected orders.
-- Parameters: :batch_id.

-- 1. The records this batch brought before (a crash, or a forced re-run over files
-- that changed since) are withdrawn; their keys (and orders) are kept.
{{ create_temp_table(tmp_order_items_withdrawn) }} as
select distinct changes.order_id, changes.line_number
from history.order_item_changes as changes
where changes.batch_id = :batch_id;

delete from history.order_item_changes where history.order_item_changes.batch_id = :batch_id;

-- 2. The batch's distinct records (grain: key, version, row_hash).
insert into history.order_item_changes (order_id, line_number, product_id, quantity, unit_price, updated_at, discount_amount, shipping_amount, is_deleted, row_hash, batch_id)
select staged_distinct.order_id, staged_distinct.line_number, staged_distinct.product_id, staged_distinct.quantity, staged_distinct.unit_price, staged_distinct.updated_at, staged_distinct.discount_amount, staged_distinct.shipping_amount, staged_distinct.is_deleted, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.order_id, staged.line_number, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.order_items as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

-- 3. The incoming latest records: for a withdrawn key, the latest of what every batch
-- brought (this one included), which replaces what history holds, or removes it when
-- no record is left (row_hash null); for the batch's other keys, the batch's latest,
-- which wins only when newer.
{{ create_temp_table(tmp_order_items_latest) }} as
with withdrawn_keys as (
    select distinct withdrawn.order_id, withdrawn.line_number from tmp_order_items_withdrawn as withdrawn
),

rederived as (
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.order_id, changes.line_number
                order by changes.updated_at desc, changes.row_hash desc
            ) as recency_rank
        from history.order_item_changes as changes
        inner join withdrawn_keys
            on withdrawn_keys.order_id = changes.order_id and withdrawn_keys.line_number = changes.line_number
    ) as ranked
    where ranked.recency_rank = 1
),

staged_latest as (
    select ranked.*
    from (
        select
            staged.*,
            row_number() over (
                partition by staged.order_id, staged.line_number
                order by staged.updated_at desc, staged.row_hash desc
            ) as recency_rank
        from staging.order_items as staged
    ) as ranked
    where ranked.recency_rank = 1
        and not exists (select 1 from withdrawn_keys where withdrawn_keys.order_id = ranked.order_id and withdrawn_keys.line_number = ranked.line_number)
)

select
    withdrawn_keys.order_id, withdrawn_keys.line_number, rederived.product_id, rederived.quantity, rederived.unit_price, rederived.updated_at, rederived.discount_amount, rederived.shipping_amount, rederived.is_deleted,
    rederived.row_hash,
    rederived.batch_id,
    true as replaces
from withdrawn_keys
left join rederived
    on rederived.order_id = withdrawn_keys.order_id and rederived.line_number = withdrawn_keys.line_number
union all
select
    staged_latest.order_id, staged_latest.line_number, staged_latest.product_id, staged_latest.quantity, staged_latest.unit_price, staged_latest.updated_at, staged_latest.discount_amount, staged_latest.shipping_amount, staged_latest.is_deleted,
    staged_latest.row_hash,
    cast(:batch_id as varchar(64)) as batch_id,
    false as replaces
from staged_latest;

-- 4. Apply them. A join (DELETE ... USING), not a correlated EXISTS: DuckDB
-- decorrelates the EXISTS with its OR into a grouping of the whole history table
-- (O(history) time and memory); the join only probes the history with the batch's keys.
delete from history.order_items
using tmp_order_items_latest as incoming
where incoming.order_id = history.order_items.order_id and incoming.line_number = history.order_items.line_number
    and (
        incoming.replaces
        or incoming.updated_at > history.order_items.updated_at
        or (incoming.updated_at = history.order_items.updated_at and incoming.row_hash > history.order_items.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.order_items (order_id, line_number, product_id, quantity, unit_price, updated_at, discount_amount, shipping_amount, is_deleted, row_hash, batch_id)
select incoming.order_id, incoming.line_number, incoming.product_id, incoming.quantity, incoming.unit_price, incoming.updated_at, incoming.discount_amount, incoming.shipping_amount, incoming.is_deleted, incoming.row_hash, incoming.batch_id
from tmp_order_items_latest as incoming
where incoming.row_hash is not null
    and not exists (
        select 1
        from (
            select known.order_id, known.line_number
            from history.order_items as known
            inner join tmp_order_items_latest as touched on touched.order_id = known.order_id and touched.line_number = known.line_number
        ) as present
        where present.order_id = incoming.order_id and present.line_number = incoming.line_number
    );

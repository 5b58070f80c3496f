-- history.order_items: the latest record per (order_id, line_number), deletions (tombstones) included.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Parameters: :batch_id.
drop table if exists tmp_order_items_latest;

create temp table tmp_order_items_latest as
select
        ranked.order_id,
        ranked.line_number,
        ranked.product_id,
        ranked.quantity,
        ranked.unit_price,
        ranked.updated_at,
        ranked.discount_amount,
        ranked.shipping_amount,
        ranked.is_deleted,
        ranked.row_hash
from (
    select
        staged.*,
        row_number() over (
            partition by staged.order_id, staged.line_number
            order by staged.updated_at desc, staged.row_hash desc
        ) as recency_rank
    from staging.order_items as staged
) as ranked
where ranked.recency_rank = 1;

-- A join (DELETE ... USING), not a correlated EXISTS: DuckDB decorrelates the
-- EXISTS with its OR into a grouping of the whole history table (O(history)
-- time and memory); the join only probes the history with the batch's keys.
delete from history.order_items
using tmp_order_items_latest as incoming
where incoming.order_id = history.order_items.order_id and incoming.line_number = history.order_items.line_number
    and (
        incoming.updated_at > history.order_items.updated_at
        or (incoming.updated_at = history.order_items.updated_at and incoming.row_hash > history.order_items.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.order_items (order_id, line_number, product_id, quantity, unit_price, updated_at, discount_amount, shipping_amount, is_deleted, row_hash, batch_id)
select incoming.order_id, incoming.line_number, incoming.product_id, incoming.quantity, incoming.unit_price, incoming.updated_at, incoming.discount_amount, incoming.shipping_amount, incoming.is_deleted, incoming.row_hash, :batch_id
from tmp_order_items_latest as incoming
where not exists (
    select 1
    from (
        select known.order_id, known.line_number
        from history.order_items as known
        inner join tmp_order_items_latest as touched on touched.order_id = known.order_id and touched.line_number = known.line_number
    ) as present
    where present.order_id = incoming.order_id and present.line_number = incoming.line_number
);

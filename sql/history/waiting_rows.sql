-- history.waiting_rows: the latest child records whose order has not arrived, kept
-- in step with the batch. Only the batch can change the set: its child records
-- (a newer record, a tombstone, a payment moved to another order) and its orders
-- (an order, once in history.orders, stays there, tombstones included). So the
-- batch's keys are taken out and re-derived from their latest records, and the
-- rows of the orders that arrived leave. Runs after the history upserts.
-- Parameters: :batch_id.
delete from history.waiting_rows
where history.waiting_rows.order_id in (select staged.order_id from staging.orders as staged);

delete from history.waiting_rows
using staging.order_items as staged
where history.waiting_rows.source_table = 'order_items'
    and history.waiting_rows.source_key = staged.order_id || '#' || cast(staged.line_number as varchar(32));

delete from history.waiting_rows
using staging.payments as staged
where history.waiting_rows.source_table = 'payments' and history.waiting_rows.source_key = staged.payment_id;

delete from history.waiting_rows
using staging.shipments as staged
where history.waiting_rows.source_table = 'shipments' and history.waiting_rows.source_key = staged.shipment_id;

insert into history.waiting_rows (source_table, order_id, source_key, batch_id)
with touched_items as (
    select distinct staged.order_id, staged.line_number from staging.order_items as staged
),

touched_payments as (
    select distinct staged.payment_id from staging.payments as staged
),

touched_shipments as (
    select distinct staged.shipment_id from staging.shipments as staged
),

latest_children as (
    -- the touched keys' latest records; a deleted item (tombstone) is not waiting revenue
    select 'order_items' as source_table, items.order_id, items.order_id || '#' || cast(items.line_number as varchar(32)) as source_key
    from history.order_items as items
    inner join touched_items
        on touched_items.order_id = items.order_id and touched_items.line_number = items.line_number
    where not items.is_deleted
    union all
    select 'payments' as source_table, payments.order_id, payments.payment_id as source_key
    from history.payments as payments
    inner join touched_payments on touched_payments.payment_id = payments.payment_id
    union all
    select 'shipments' as source_table, shipments.order_id, shipments.shipment_id as source_key
    from history.shipments as shipments
    inner join touched_shipments on touched_shipments.shipment_id = shipments.shipment_id
),

arrived_orders as (
    -- an inner join with the children's orders, so the history scan skips what
    -- cannot match (an anti-join alone would hash the whole of history.orders)
    select distinct orders.order_id
    from history.orders as orders
    inner join (select distinct latest_children.order_id from latest_children) as wanted
        on wanted.order_id = orders.order_id
)

select latest_children.source_table, latest_children.order_id, latest_children.source_key, :batch_id
from latest_children
where not exists (select 1 from arrived_orders where arrived_orders.order_id = latest_children.order_id);

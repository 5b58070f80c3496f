-- history.waiting_rows: the latest child records whose order has not arrived, kept
-- in step with the batch. Only the batch can change the set: its child records
-- (a newer record, a tombstone, a payment moved to another order), its orders (an
-- order, once in history.orders, stays there, tombstones included) and what it
-- withdrew (a forced re-run without a file: a child record gone, or an order no
-- batch brings any more, whose children wait again). So the touched keys are taken
-- out and derived again from their latest records, and the rows of the orders that
-- arrived leave. Runs after the history files, which leave tmp_*_withdrawn.
-- Parameters: :batch_id.
delete from history.waiting_rows
where history.waiting_rows.order_id in (
    select staged.order_id from staging.orders as staged
    union
    select withdrawn.order_id from tmp_orders_withdrawn as withdrawn
);

delete from history.waiting_rows
using (
    select 'order_items' as source_table, staged.order_id || '#' || cast(staged.line_number as varchar(32)) as source_key from staging.order_items as staged
    union
    select 'order_items', withdrawn.order_id || '#' || cast(withdrawn.line_number as varchar(32)) from tmp_order_items_withdrawn as withdrawn
    union
    select 'payments', staged.payment_id from staging.payments as staged
    union
    select 'payments', withdrawn.payment_id from tmp_payments_withdrawn as withdrawn
    union
    select 'shipments', staged.shipment_id from staging.shipments as staged
    union
    select 'shipments', withdrawn.shipment_id from tmp_shipments_withdrawn as withdrawn
) as touched
where history.waiting_rows.source_table = touched.source_table and history.waiting_rows.source_key = touched.source_key;

insert into history.waiting_rows (source_table, order_id, source_key, batch_id)
with touched_items as (
    select staged.order_id, staged.line_number from staging.order_items as staged
    union
    select withdrawn.order_id, withdrawn.line_number from tmp_order_items_withdrawn as withdrawn
),

touched_payments as (
    select staged.payment_id from staging.payments as staged
    union
    select withdrawn.payment_id from tmp_payments_withdrawn as withdrawn
),

touched_shipments as (
    select staged.shipment_id from staging.shipments as staged
    union
    select withdrawn.shipment_id from tmp_shipments_withdrawn as withdrawn
),

reopened_orders as (
    -- withdrawn orders no batch brings any more: their children wait again
    select distinct withdrawn.order_id
    from tmp_orders_withdrawn as withdrawn
    where not exists (select 1 from history.orders as orders where orders.order_id = withdrawn.order_id)
),

latest_children as (
    -- the touched keys' latest records, and those of the reopened orders that are not
    -- touched keys (so no record comes twice); a deleted item (tombstone) is not
    -- waiting revenue
    select 'order_items' as source_table, items.order_id, items.order_id || '#' || cast(items.line_number as varchar(32)) as source_key
    from history.order_items as items
    inner join touched_items
        on touched_items.order_id = items.order_id and touched_items.line_number = items.line_number
    where not items.is_deleted
    union all
    select 'order_items' as source_table, items.order_id, items.order_id || '#' || cast(items.line_number as varchar(32)) as source_key
    from history.order_items as items
    inner join reopened_orders on reopened_orders.order_id = items.order_id
    where not items.is_deleted
        and not exists (
            select 1 from touched_items where touched_items.order_id = items.order_id and touched_items.line_number = items.line_number
        )
    union all
    select 'payments' as source_table, payments.order_id, payments.payment_id as source_key
    from history.payments as payments
    inner join touched_payments on touched_payments.payment_id = payments.payment_id
    union all
    select 'payments' as source_table, payments.order_id, payments.payment_id as source_key
    from history.payments as payments
    inner join reopened_orders on reopened_orders.order_id = payments.order_id
    where not exists (select 1 from touched_payments where touched_payments.payment_id = payments.payment_id)
    union all
    select 'shipments' as source_table, shipments.order_id, shipments.shipment_id as source_key
    from history.shipments as shipments
    inner join touched_shipments on touched_shipments.shipment_id = shipments.shipment_id
    union all
    select 'shipments' as source_table, shipments.order_id, shipments.shipment_id as source_key
    from history.shipments as shipments
    inner join reopened_orders on reopened_orders.order_id = shipments.order_id
    where not exists (select 1 from touched_shipments where touched_shipments.shipment_id = shipments.shipment_id)
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

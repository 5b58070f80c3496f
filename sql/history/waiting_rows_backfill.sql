-- history.waiting_rows, filled once from the whole history: run by the bootstrap
-- once per warehouse (a new one, where it inserts nothing, or one built before the
-- table; audit.backfills says it ran), after which sql/history/waiting_rows.sql keeps it.
delete from history.waiting_rows;

insert into history.waiting_rows (source_table, order_id, source_key, batch_id)
select children.source_table, children.order_id, children.source_key, children.batch_id
from (
    select 'order_items' as source_table, items.order_id, items.order_id || '#' || cast(items.line_number as varchar(32)) as source_key, items.batch_id
    from history.order_items as items
    where not items.is_deleted
    union all
    select 'payments' as source_table, payments.order_id, payments.payment_id as source_key, payments.batch_id
    from history.payments as payments
    union all
    select 'shipments' as source_table, shipments.order_id, shipments.shipment_id as source_key, shipments.batch_id
    from history.shipments as shipments
) as children
where not exists (select 1 from history.orders as orders where orders.order_id = children.order_id);

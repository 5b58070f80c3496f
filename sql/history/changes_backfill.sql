-- history.order_changes, order_item_changes, payment_changes, shipment_changes and
-- history.dimension_references, filled once from what a warehouse built before them
-- holds: the latest records, each under the batch that brought it, and the inferred
-- members. Older records of those keys were never kept, so a forced re-run of a batch
-- processed before can withdraw only its latest records. Run by the bootstrap once
-- per warehouse (audit.backfills), after which the history files keep them.
delete from history.order_changes;

insert into history.order_changes (order_id, customer_id, order_ts, updated_at, status, currency, row_hash, batch_id)
select orders.order_id, orders.customer_id, orders.order_ts, orders.updated_at, orders.status, orders.currency, orders.row_hash, orders.batch_id
from history.orders as orders;

delete from history.order_item_changes;

insert into history.order_item_changes (order_id, line_number, product_id, quantity, unit_price, updated_at, discount_amount, shipping_amount, is_deleted, row_hash, batch_id)
select items.order_id, items.line_number, items.product_id, items.quantity, items.unit_price, items.updated_at, items.discount_amount, items.shipping_amount, items.is_deleted, items.row_hash, items.batch_id
from history.order_items as items;

delete from history.payment_changes;

insert into history.payment_changes (payment_id, order_id, payment_method, amount, paid_at, updated_at, version_ts, row_hash, batch_id)
select payments.payment_id, payments.order_id, payments.payment_method, payments.amount, payments.paid_at, payments.updated_at, payments.version_ts, payments.row_hash, payments.batch_id
from history.payments as payments;

delete from history.shipment_changes;

insert into history.shipment_changes (shipment_id, order_id, status, updated_at, carrier, shipped_at, delivered_at, row_hash, batch_id)
select shipments.shipment_id, shipments.order_id, shipments.status, shipments.updated_at, shipments.carrier, shipments.shipped_at, shipments.delivered_at, shipments.row_hash, shipments.batch_id
from history.shipments as shipments;

delete from history.dimension_references;

insert into history.dimension_references (batch_id, entity, natural_key)
select orders.batch_id, 'customer', orders.customer_id from history.orders as orders
union
select customers.batch_id, 'customer', customers.customer_id from dw.dim_customers as customers where customers.is_inferred
union
select items.batch_id, 'product', items.product_id from history.order_items as items
union
select products.batch_id, 'product', products.product_id from dw.dim_products as products where products.is_inferred
union
select payments.batch_id, 'payment_method', payments.payment_method from history.payments as payments
union
select shipments.batch_id, 'shipment_status', shipments.status from history.shipments as shipments;

-- waiting: latest items, payments and shipments whose order has not arrived yet.
-- They are kept and enter the facts in the batch where their order arrives.
select 'order_items ' || items.order_id as failure_key
from history.order_items as items
where not items.is_deleted
    and not exists (select 1 from history.orders as orders where orders.order_id = items.order_id)
union all
select 'payments ' || payments.order_id
from history.payments as payments
where not exists (select 1 from history.orders as orders where orders.order_id = payments.order_id)
union all
select 'shipments ' || shipments.order_id
from history.shipments as shipments
where not exists (select 1 from history.orders as orders where orders.order_id = shipments.order_id)

-- staging.affected_orders: the orders whose facts this batch rebuilds (grain: order_id):
-- every order the batch's rows touch, plus the orders of customers and products
-- whose history changed at or before order_ts (their facts are re-pointed to the
-- version valid at order_ts; earlier orders keep theirs).
delete from staging.affected_orders;

insert into staging.affected_orders (order_id)
select staged.order_id from staging.orders as staged
union
select staged.order_id from staging.order_items as staged
union
select staged.order_id from staging.payments as staged
union
select staged.order_id from staging.shipments as staged
union
select orders.order_id
from history.orders as orders
inner join staging.changed_dimension_keys as changed
    on changed.entity = 'customer' and changed.natural_key = orders.customer_id
where orders.order_ts >= changed.changed_from
union
select items.order_id
from history.order_items as items
inner join staging.changed_dimension_keys as changed
    on changed.entity = 'product' and changed.natural_key = items.product_id
inner join history.orders as orders
    on orders.order_id = items.order_id
where orders.order_ts >= changed.changed_from;

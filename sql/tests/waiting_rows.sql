-- waiting: latest items, payments and shipments whose order has not arrived yet.
-- They are kept and enter the facts in the batch where their order arrives.
-- The orders are looked up once, for the distinct order ids of all three
-- tables, rather than once per table: every lookup builds a hash table of the
-- whole history.orders, the cost of this test.
with candidates as (
    select 'order_items' as source_table, items.order_id
    from history.order_items as items
    where not items.is_deleted
    union all
    select 'payments' as source_table, payments.order_id
    from history.payments as payments
    union all
    select 'shipments' as source_table, shipments.order_id
    from history.shipments as shipments
),

missing_orders as (
    select distinct candidates.order_id
    from candidates
    where not exists (select 1 from history.orders as orders where orders.order_id = candidates.order_id)
)

select candidates.source_table || ' ' || candidates.order_id as failure_key
from candidates
inner join missing_orders
    on missing_orders.order_id = candidates.order_id

-- reconciliation: every affected order that arrived has its fulfillment row, and
-- each row's item count, net revenue, payment count and paid amount equal its
-- order's item and payment facts.
with arrived_orders as (
    select orders.order_id
    from history.orders as orders
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = orders.order_id
),

item_totals as (
    select facts.order_id, count(*) as item_count, sum(facts.net_revenue) as net_revenue
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    group by facts.order_id
),

payment_totals as (
    select facts.order_id, count(*) as payment_count, sum(facts.amount) as paid_amount
    from dw.fact_payments as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    group by facts.order_id
),

fulfillment as (
    select facts.*
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
)

select 'missing ' || arrived_orders.order_id as failure_key
from arrived_orders
left join fulfillment on fulfillment.order_id = arrived_orders.order_id
where fulfillment.order_id is null
union all
select 'totals ' || fulfillment.order_id
from fulfillment
left join item_totals on item_totals.order_id = fulfillment.order_id
left join payment_totals on payment_totals.order_id = fulfillment.order_id
where fulfillment.item_count <> coalesce(item_totals.item_count, 0)
    or fulfillment.net_revenue <> coalesce(item_totals.net_revenue, 0)
    or fulfillment.payment_count <> coalesce(payment_totals.payment_count, 0)
    or fulfillment.paid_amount <> coalesce(payment_totals.paid_amount, 0)

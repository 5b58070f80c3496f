-- mart.orders: for the affected orders, one row per fact_order_fulfillment row
-- with the same item count, net revenue, paid amount and placed -> delivered lag.
with facts as (
    select facts.*
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
),

marts as (
    select orders.*
    from mart.orders as orders
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = orders.order_id
)

-- one pass over both sides: a row on one side only is missing or extra, a row on
-- both that disagrees differs
select
    {{ reconciliation_failure(facts.order_id, marts.order_id) }} || coalesce(facts.order_id, marts.order_id) as failure_key
from facts
full outer join marts
    on marts.order_id = facts.order_id
where marts.order_id is null
    or facts.order_id is null
    or (
        marts.item_count <> facts.item_count
        or marts.net_revenue <> facts.net_revenue
        or marts.paid_amount <> facts.paid_amount
        or not {{ same(marts.placed_to_delivered_hours, facts.placed_to_delivered_hours) }}
    )

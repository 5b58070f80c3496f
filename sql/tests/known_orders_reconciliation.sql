-- known.orders (what mart.orders, the fulfillment, basket, geography and
-- cohort figures read): for the affected orders, the current version equals
-- dw.fact_order_fulfillment: one each, same customer, items, revenue, revenue
-- state and milestones.
with facts as (
    select facts.*, customers.customer_id
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
),

stored as (
    select orders.*
    from known.orders as orders
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = orders.order_id
    where orders.known_to is null
)

-- one pass over both sides: a row on one side only is missing or extra, a row on
-- both that disagrees differs
select
    {{ reconciliation_failure(facts.order_id, stored.order_id) }} || coalesce(facts.order_id, stored.order_id) as failure_key
from facts
full outer join stored
    on stored.order_id = facts.order_id
where stored.order_id is null
    or facts.order_id is null
    or (
        stored.customer_id <> facts.customer_id
        or stored.item_count <> facts.item_count
        or stored.net_revenue <> facts.net_revenue
        or stored.revenue_state <> case when facts.is_cancelled then 'cancelled' when facts.is_returned then 'returned' else 'booked' end
        or not {{ same(stored.first_paid_at, facts.first_paid_at) }}
        or not {{ same(stored.first_shipped_at, facts.first_shipped_at) }}
        or not {{ same(stored.delivered_at, facts.delivered_at) }}
    )

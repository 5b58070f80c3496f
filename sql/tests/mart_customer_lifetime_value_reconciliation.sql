-- mart.customer_lifetime_value: for the customers of the affected orders, the
-- order count, first order and lifetime recognized revenue (none for cancelled
-- or returned orders) equal what fact_order_fulfillment holds for them.
with touched_customers as (
    select distinct customers.customer_id
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
),

expected as (
    select
        customers.customer_id,
        count(*) as orders,
        min(facts.order_ts) as first_order_at,
        sum(case when facts.is_cancelled or facts.is_returned then 0 else facts.net_revenue end) as lifetime_revenue
    from dw.fact_order_fulfillment as facts
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
    inner join touched_customers on touched_customers.customer_id = customers.customer_id
    group by customers.customer_id
),

actual as (
    select lifetime.customer_id, lifetime.orders, lifetime.first_order_at, lifetime.lifetime_revenue
    from mart.customer_lifetime_value as lifetime
    inner join touched_customers on touched_customers.customer_id = lifetime.customer_id
)

select coalesce(expected.customer_id, actual.customer_id) as failure_key
from expected
full outer join actual on actual.customer_id = expected.customer_id
where not {{ same(expected.orders, actual.orders) }}
    or not {{ same(expected.first_order_at, actual.first_order_at) }}
    or not {{ same(expected.lifetime_revenue, actual.lifetime_revenue) }}

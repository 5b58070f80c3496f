-- mart.customer_lifetime_value: one row per customer (natural key) with at
-- least one order. cohort_month is the month of the customer's first order (any
-- status); lifetime_revenue is their recognized revenue to date (cancelled and
-- returned orders earn none), lifetime_margin its margin where costs are known.
-- Segment and city at the first order beside today's.
create or replace view mart.customer_lifetime_value as
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where known_rows.known_to is null
),

item_margins as (
    select known_rows.customer_id, sum(known_rows.recognized_margin) as lifetime_margin
    from known.order_items as known_rows
    where known_rows.known_to is null
    group by known_rows.customer_id
),

customers as (
    select
        orders.customer_id,
        min(orders.order_ts) as first_order_at,
        max(orders.order_ts) as last_order_at,
        count(*) as orders,
        sum(case when orders.revenue_state = 'booked' then 1 else 0 end) as recognized_orders,
        sum(orders.recognized_revenue) as lifetime_revenue
    from orders
    group by orders.customer_id
),

known_customers as (
    select known_rows.*
    from known.customers as known_rows
    where known_rows.known_to is null
)

select
    customers.customer_id,
    cast(date_trunc('month', customers.first_order_at) as date) as cohort_month,
    customers.first_order_at,
    customers.last_order_at,
    customers.orders,
    customers.recognized_orders,
    customers.lifetime_revenue,
    item_margins.lifetime_margin,
    customers_then.segment as segment_at_first_order,
    customers_now.segment as segment_now,
    customers_then.city as city_at_first_order,
    customers_now.city as city_now
from customers
left join item_margins
    on item_margins.customer_id = customers.customer_id
left join known_customers as customers_then
    on customers_then.customer_id = customers.customer_id
    and customers_then.valid_from <= customers.first_order_at
    and customers.first_order_at < customers_then.valid_to
left join known_customers as customers_now
    on customers_now.customer_id = customers.customer_id
    and customers_now.valid_to = {{ high_sentinel }};

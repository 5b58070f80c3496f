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

ranked as (
    select
        orders.*,
        row_number() over (partition by orders.customer_id order by orders.order_ts, orders.order_id) as order_rank
    from orders
),

customers as (
    select
        ranked.customer_id,
        min(ranked.order_ts) as first_order_at,
        max(ranked.order_ts) as last_order_at,
        count(*) as orders,
        sum(case when ranked.revenue_state = 'booked' then 1 else 0 end) as recognized_orders,
        sum(ranked.recognized_revenue) as lifetime_revenue,
        max(case when ranked.order_rank = 1 then ranked.segment end) as first_segment,
        max(case when ranked.order_rank = 1 then ranked.city end) as first_city
    from ranked
    group by ranked.customer_id
),

customers_now as (
    select known_rows.*
    from known.customers as known_rows
    where known_rows.known_to is null
        and known_rows.valid_to = cast('9999-12-31 00:00:00' as timestamp)
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
    customers.first_segment as segment_at_first_order,
    customers_now.segment as segment_now,
    customers.first_city as city_at_first_order,
    customers_now.city as city_now
from customers
left join item_margins
    on item_margins.customer_id = customers.customer_id
left join customers_now
    on customers_now.customer_id = customers.customer_id;

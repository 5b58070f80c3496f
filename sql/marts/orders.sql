-- mart.orders: one row per order (the fulfillment fact), with the customer's
-- attributes at purchase (the version valid at order_ts) beside today's
-- (`*_now`). Revenue as in mart.sales: net_revenue booked, recognized_revenue 0
-- for cancelled and returned orders, recognized_margin at purchase-time cost
-- (NULL while no item's cost is known). paid_amount is the sum of its payments.
-- Lags in hours between the milestones, as in dw.fact_order_fulfillment; NULL
-- until both have happened. The order's status and shipment status: dw.
create or replace view mart.orders as
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where known_rows.known_to is null
),

payments as (
    select known_rows.order_id, count(*) as payment_count, sum(known_rows.amount) as paid_amount
    from known.payments as known_rows
    where known_rows.known_to is null
    group by known_rows.order_id
),

customers_now as (
    select known_rows.*
    from known.customers as known_rows
    where known_rows.known_to is null
        and known_rows.valid_to = {{ high_sentinel }}
)

select
    orders.order_id,
    orders.order_ts,
    orders.order_date,
    cast(date_trunc('month', orders.order_date) as date) as order_month,
    orders.customer_id,
    orders.revenue_state,
    orders.segment,
    customers_now.segment as segment_now,
    orders.city,
    customers_now.city as city_now,
    orders.state,
    customers_now.state as state_now,
    orders.country,
    customers_now.country as country_now,
    orders.item_count,
    orders.unit_count,
    orders.net_revenue,
    orders.recognized_revenue,
    orders.recognized_margin,
    coalesce(payments.payment_count, 0) as payment_count,
    coalesce(payments.paid_amount, 0) as paid_amount,
    orders.first_paid_at,
    orders.first_shipped_at,
    orders.delivered_at,
    {{ lag_hours(orders.order_ts, orders.first_paid_at) }} as placed_to_paid_hours,
    {{ lag_hours(orders.order_ts, orders.first_shipped_at) }} as placed_to_shipped_hours,
    {{ lag_hours(orders.first_shipped_at, orders.delivered_at) }} as shipped_to_delivered_hours,
    {{ lag_hours(orders.order_ts, orders.delivered_at) }} as placed_to_delivered_hours,
    case when orders.first_paid_at is null then false else true end as is_paid,
    case when orders.first_shipped_at is null then false else true end as is_shipped,
    case when orders.delivered_at is null then false else true end as is_delivered,
    case when orders.revenue_state = 'cancelled' then true else false end as is_cancelled,
    case when orders.revenue_state = 'returned' then true else false end as is_returned
from orders
left join payments
    on payments.order_id = orders.order_id
left join customers_now
    on customers_now.customer_id = orders.customer_id;

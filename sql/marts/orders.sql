-- mart.orders: one row per order (the fulfillment fact), with the customer's
-- attributes at purchase beside today's (`*_now`). Revenue as in mart.sales:
-- net_revenue booked, recognized_revenue 0 for cancelled and returned orders.
-- Lags in hours between the milestones; NULL until both have happened.
create or replace view mart.orders as
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where known_rows.known_to is null
),

customers_now as (
    select known_rows.*
    from known.customers as known_rows
    where known_rows.known_to is null
        and known_rows.valid_to = cast('9999-12-31 00:00:00' as timestamp)
)

select
    orders.order_id,
    orders.order_ts,
    orders.order_date,
    cast(date_trunc('month', orders.order_date) as date) as order_month,
    orders.customer_id,
    orders.order_status,
    orders.revenue_state,
    orders.payment_method,
    orders.payment_channel,
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
    orders.payment_count,
    orders.paid_amount,
    orders.first_paid_at,
    orders.first_shipped_at,
    orders.delivered_at,
    orders.placed_to_paid_hours,
    orders.placed_to_shipped_hours,
    orders.shipped_to_delivered_hours,
    orders.placed_to_delivered_hours,
    orders.is_paid,
    orders.is_shipped,
    orders.is_delivered,
    orders.is_cancelled,
    orders.is_returned
from orders
left join customers_now
    on customers_now.customer_id = orders.customer_id;

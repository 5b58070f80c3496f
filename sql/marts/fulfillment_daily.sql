-- mart.fulfillment_daily: per order date, how many orders reached each
-- milestone and how long it took. Grain: one row per order date. Lags are hours
-- averaged over the orders that reached both milestones; the median and 90th
-- percentile are of placed -> delivered. Cancelled and returned orders count in
-- orders and in their own columns.
create or replace view mart.fulfillment_daily as
with orders as (
    select
        known_rows.order_date,
        known_rows.revenue_state,
        known_rows.first_paid_at,
        known_rows.first_shipped_at,
        known_rows.delivered_at,
        {{ lag_hours(known_rows.order_ts, known_rows.first_paid_at) }} as placed_to_paid_hours,
        {{ lag_hours(known_rows.order_ts, known_rows.first_shipped_at) }} as placed_to_shipped_hours,
        {{ lag_hours(known_rows.first_shipped_at, known_rows.delivered_at) }} as shipped_to_delivered_hours,
        {{ lag_hours(known_rows.order_ts, known_rows.delivered_at) }} as placed_to_delivered_hours
    from known.orders as known_rows
    where known_rows.known_to is null
)

select
    orders.order_date,
    count(*) as orders,
    count(orders.first_paid_at) as paid_orders,
    count(orders.first_shipped_at) as shipped_orders,
    count(orders.delivered_at) as delivered_orders,
    sum(case when orders.revenue_state = 'cancelled' then 1 else 0 end) as cancelled_orders,
    sum(case when orders.revenue_state = 'returned' then 1 else 0 end) as returned_orders,
    avg(orders.placed_to_paid_hours) as avg_placed_to_paid_hours,
    avg(orders.placed_to_shipped_hours) as avg_placed_to_shipped_hours,
    avg(orders.shipped_to_delivered_hours) as avg_shipped_to_delivered_hours,
    avg(orders.placed_to_delivered_hours) as avg_placed_to_delivered_hours,
    percentile_cont(0.5) within group (order by orders.placed_to_delivered_hours) as median_placed_to_delivered_hours,
    percentile_cont(0.9) within group (order by orders.placed_to_delivered_hours) as p90_placed_to_delivered_hours
from orders
group by orders.order_date;

-- Report section fulfillment: per period of order dates (:grain), the orders
-- and how many reached each milestone, with the sums and counts of the lags
-- (the report divides them: exact averages) and the median and 90th
-- percentile of placed -> delivered, as known at load :known_seq.
-- Parameters: :known_seq, :from_date, :to_date, :grain.
with orders as (
    select
        case :grain
            when 'day' then known_rows.order_date
            when 'week' then cast(date_trunc('week', known_rows.order_date) as date)
            else cast(date_trunc('month', known_rows.order_date) as date)
        end as period_start,
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
    where {{ known_at(known_rows) }}
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
)

select
    orders.period_start,
    count(*) as orders,
    count(orders.first_paid_at) as paid_orders,
    count(orders.first_shipped_at) as shipped_orders,
    count(orders.delivered_at) as delivered_orders,
    sum(case when orders.revenue_state = 'cancelled' then 1 else 0 end) as cancelled_orders,
    sum(case when orders.revenue_state = 'returned' then 1 else 0 end) as returned_orders,
    sum(orders.placed_to_paid_hours) as placed_to_paid_hours_sum,
    count(orders.placed_to_paid_hours) as placed_to_paid_count,
    sum(orders.placed_to_shipped_hours) as placed_to_shipped_hours_sum,
    count(orders.placed_to_shipped_hours) as placed_to_shipped_count,
    sum(orders.shipped_to_delivered_hours) as shipped_to_delivered_hours_sum,
    count(orders.shipped_to_delivered_hours) as shipped_to_delivered_count,
    sum(orders.placed_to_delivered_hours) as placed_to_delivered_hours_sum,
    count(orders.placed_to_delivered_hours) as placed_to_delivered_count,
    percentile_cont(0.5) within group (order by orders.placed_to_delivered_hours) as median_placed_to_delivered_hours,
    percentile_cont(0.9) within group (order by orders.placed_to_delivered_hours) as p90_placed_to_delivered_hours
from orders
group by orders.period_start
order by orders.period_start

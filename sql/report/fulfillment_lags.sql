-- Report section fulfillment_lags: how many orders (of the period, as known at
-- load :known_seq) took how long between two milestones, in hour buckets.
-- Parameters: :known_seq, :from_date, :to_date.
with orders as (
    select
        {{ lag_hours(known_rows.order_ts, known_rows.first_paid_at) }} as placed_to_paid_hours,
        {{ lag_hours(known_rows.order_ts, known_rows.first_shipped_at) }} as placed_to_shipped_hours,
        {{ lag_hours(known_rows.first_shipped_at, known_rows.delivered_at) }} as shipped_to_delivered_hours,
        {{ lag_hours(known_rows.order_ts, known_rows.delivered_at) }} as placed_to_delivered_hours
    from known.orders as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
),

lags as (
    select cast('placed_to_paid' as varchar(32)) as lag, 1 as lag_order, orders.placed_to_paid_hours as hours from orders
    union all
    select 'placed_to_shipped', 2, orders.placed_to_shipped_hours from orders
    union all
    select 'shipped_to_delivered', 3, orders.shipped_to_delivered_hours from orders
    union all
    select 'placed_to_delivered', 4, orders.placed_to_delivered_hours from orders
),

bucketed as (
    select
        lags.lag,
        lags.lag_order,
        case
            when lags.hours < 0 then 0
            when lags.hours < 24 then 1
            when lags.hours < 48 then 2
            when lags.hours < 72 then 3
            when lags.hours < 120 then 4
            when lags.hours < 168 then 5
            else 6
        end as bucket_order
    from lags
    where lags.hours is not null
)

select
    bucketed.lag,
    bucketed.bucket_order,
    count(*) as orders
from bucketed
group by bucketed.lag, bucketed.lag_order, bucketed.bucket_order
order by bucketed.lag_order, bucketed.bucket_order

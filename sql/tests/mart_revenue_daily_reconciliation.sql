-- mart.revenue_daily: on every order date the batch touched, booked revenue,
-- recognized revenue (none for cancelled or returned orders) and margin (of
-- recognized items with a known cost) add up to what fact_order_items holds.
with touched_dates as (
    select distinct cast(orders.order_ts as date) as order_date
    from history.orders as orders
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = orders.order_id
),

expected as (
    select
        cast(facts.order_ts as date) as order_date,
        sum(facts.net_revenue) as net_revenue,
        sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.net_revenue end) as revenue,
        sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.margin end) as margin
    from dw.fact_order_items as facts
    inner join touched_dates on touched_dates.order_date = cast(facts.order_ts as date)
    group by cast(facts.order_ts as date)
),

actual as (
    select
        daily.order_date,
        sum(daily.net_revenue) as net_revenue,
        sum(daily.revenue) as revenue,
        sum(daily.margin) as margin
    from mart.revenue_daily as daily
    inner join touched_dates on touched_dates.order_date = daily.order_date
    group by daily.order_date
)

select cast(coalesce(expected.order_date, actual.order_date) as varchar(32)) as failure_key
from expected
full outer join actual on actual.order_date = expected.order_date
where not {{ same(expected.net_revenue, actual.net_revenue) }}
    or not {{ same(expected.revenue, actual.revenue) }}
    or not {{ same(expected.margin, actual.margin) }}

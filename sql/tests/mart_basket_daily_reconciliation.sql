-- mart.basket_daily: on every order date the batch touched, the baskets (orders
-- with items, neither cancelled nor returned), their items and their value add up
-- to what fact_order_fulfillment holds.
with touched_dates as (
    select distinct cast(facts.order_ts as date) as order_date
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
),

expected as (
    select
        cast(facts.order_ts as date) as order_date,
        count(*) as orders,
        sum(facts.item_count) as items,
        sum(facts.net_revenue) as revenue
    from dw.fact_order_fulfillment as facts
    inner join touched_dates on touched_dates.order_date = cast(facts.order_ts as date)
    where facts.item_count > 0 and not facts.is_cancelled and not facts.is_returned
    group by cast(facts.order_ts as date)
),

actual as (
    select daily.*
    from mart.basket_daily as daily
    inner join touched_dates on touched_dates.order_date = daily.order_date
)

select cast(coalesce(expected.order_date, actual.order_date) as varchar(32)) as failure_key
from expected
full outer join actual on actual.order_date = expected.order_date
where not {{ same(expected.orders, actual.orders) }}
    or not {{ same(expected.items, actual.items) }}
    or not {{ same(expected.revenue, actual.revenue) }}

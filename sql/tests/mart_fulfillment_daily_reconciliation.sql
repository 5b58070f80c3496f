-- mart.fulfillment_daily: on every order date the batch touched, the orders and
-- those delivered, cancelled and returned count as in fact_order_fulfillment.
with touched_dates as (
    select distinct cast(facts.order_ts as date) as order_date
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
),

expected as (
    select
        cast(facts.order_ts as date) as order_date,
        count(*) as orders,
        sum(case when facts.is_delivered then 1 else 0 end) as delivered_orders,
        sum(case when facts.is_cancelled then 1 else 0 end) as cancelled_orders,
        sum(case when facts.is_returned then 1 else 0 end) as returned_orders
    from dw.fact_order_fulfillment as facts
    inner join touched_dates on touched_dates.order_date = cast(facts.order_ts as date)
    group by cast(facts.order_ts as date)
),

actual as (
    select daily.*
    from mart.fulfillment_daily as daily
    inner join touched_dates on touched_dates.order_date = daily.order_date
)

select cast(coalesce(expected.order_date, actual.order_date) as varchar(32)) as failure_key
from expected
full outer join actual on actual.order_date = expected.order_date
where not {{ same(expected.orders, actual.orders) }}
    or not {{ same(expected.delivered_orders, actual.delivered_orders) }}
    or not {{ same(expected.cancelled_orders, actual.cancelled_orders) }}
    or not {{ same(expected.returned_orders, actual.returned_orders) }}

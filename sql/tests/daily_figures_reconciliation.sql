-- known.daily_figures (the published figures restatements are measured on): on
-- every date the batch's orders fall on, the current total revenue and margin
-- (recognized: none for cancelled or returned orders; margin where the cost is
-- known) equal fact_order_items'; and payments per paid date equal fact_payments'.
with touched_dates as (
    select distinct cast(orders.order_ts as date) as business_date
    from history.orders as orders
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = orders.order_id
),

touched_paid_dates as (
    select distinct cast(payments.paid_at as date) as business_date
    from dw.fact_payments as payments
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = payments.order_id
),

expected as (
    select
        cast(facts.order_ts as date) as business_date,
        cast('revenue' as varchar(32)) as measure,
        sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.net_revenue end) as figure_value
    from dw.fact_order_items as facts
    inner join touched_dates on touched_dates.business_date = cast(facts.order_ts as date)
    group by cast(facts.order_ts as date)
    union all
    select
        cast(facts.order_ts as date),
        'margin',
        coalesce(sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.margin end), 0)
    from dw.fact_order_items as facts
    inner join touched_dates on touched_dates.business_date = cast(facts.order_ts as date)
    group by cast(facts.order_ts as date)
    union all
    select cast(facts.paid_at as date), 'payments', sum(facts.amount)
    from dw.fact_payments as facts
    inner join touched_paid_dates on touched_paid_dates.business_date = cast(facts.paid_at as date)
    group by cast(facts.paid_at as date)
),

published as (
    select figures.business_date, figures.measure, figures.figure_value
    from known.daily_figures as figures
    where figures.known_to is null
        and figures.slice_kind = 'total'
        and (
            (figures.measure in ('revenue', 'margin') and figures.business_date in (select touched_dates.business_date from touched_dates))
            or (figures.measure = 'payments' and figures.business_date in (select touched_paid_dates.business_date from touched_paid_dates))
        )
)

select coalesce(expected.measure, published.measure) || ' ' || cast(coalesce(expected.business_date, published.business_date) as varchar(32)) as failure_key
from expected
full outer join published
    on published.business_date = expected.business_date
    and published.measure = expected.measure
where coalesce(expected.figure_value, 0) <> coalesce(published.figure_value, 0)

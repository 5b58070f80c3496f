-- Report section revenue_trend: per period of order dates (:grain), orders,
-- items and revenue as known at load :known_seq; revenue_as_was and
-- margin_as_was are the same period's published figures as known at the
-- comparison load :compare_seq (NULL without one). Revenue definition as in
-- mart.revenue_daily. Parameters: :known_seq, :compare_seq, :from_date, :to_date, :grain.
with items as (
    select known_rows.*
    from known.order_items as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
),

periods as (
    select
        case :grain
            when 'day' then items.order_date
            when 'week' then cast(date_trunc('week', items.order_date) as date)
            else cast(date_trunc('month', items.order_date) as date)
        end as period_start,
        items.*
    from items
),

trend as (
    select
        periods.period_start,
        count(*) as items,
        sum(periods.quantity) as units,
        sum(periods.net_revenue) as net_revenue,
        sum(case when periods.revenue_state = 'cancelled' then periods.net_revenue else 0 end) as cancelled_revenue,
        sum(case when periods.revenue_state = 'returned' then periods.net_revenue else 0 end) as returned_revenue,
        sum(periods.recognized_revenue) as revenue,
        sum(periods.recognized_revenue - periods.recognized_margin) as cost,
        sum(periods.recognized_margin) as margin,
        sum(case when periods.recognized_margin is null then periods.recognized_revenue else 0 end) as revenue_without_cost
    from periods
    group by periods.period_start
),

order_periods as (
    -- orders counted on their own rows (a distinct count over items is far dearer)
    select
        case :grain
            when 'day' then orders.order_date
            when 'week' then cast(date_trunc('week', orders.order_date) as date)
            else cast(date_trunc('month', orders.order_date) as date)
        end as period_start
    from known.orders as orders
    where {{ known_at(orders) }}
        and orders.item_count > 0
        and orders.order_date >= cast(:from_date as date)
        and orders.order_date <= cast(:to_date as date)
),

order_counts as (
    select order_periods.period_start, count(*) as orders
    from order_periods
    group by order_periods.period_start
),

figures_then as (
    select
        case :grain
            when 'day' then figures.business_date
            when 'week' then cast(date_trunc('week', figures.business_date) as date)
            else cast(date_trunc('month', figures.business_date) as date)
        end as period_start,
        figures.measure,
        figures.figure_value
    from known.daily_figures as figures
    where {{ known_at(figures, :compare_seq) }}
        and figures.slice_kind = 'total'
        and figures.measure in ('revenue', 'margin')
        and figures.business_date >= cast(:from_date as date)
        and figures.business_date <= cast(:to_date as date)
),

as_was as (
    select
        figures_then.period_start,
        sum(case when figures_then.measure = 'revenue' then figures_then.figure_value else 0 end) as revenue_as_was,
        sum(case when figures_then.measure = 'margin' then figures_then.figure_value else 0 end) as margin_as_was
    from figures_then
    group by figures_then.period_start
)

select
    trend.period_start,
    order_counts.orders,
    trend.items,
    trend.units,
    trend.net_revenue,
    trend.cancelled_revenue,
    trend.returned_revenue,
    trend.revenue,
    trend.cost,
    trend.margin,
    trend.revenue_without_cost,
    as_was.revenue_as_was,
    as_was.margin_as_was
from trend
left join order_counts
    on order_counts.period_start = trend.period_start
left join as_was
    on as_was.period_start = trend.period_start
order by trend.period_start

-- Report section cohorts: customers by the month of their first order (any
-- status, as known at load :known_seq), for cohorts starting in the period, and
-- their orders and recognized revenue in each month since, up to :to_date.
-- Parameters: :known_seq, :from_date, :to_date.
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.order_date <= cast(:to_date as date)
),

first_orders as (
    select orders.customer_id, cast(date_trunc('month', min(orders.order_date)) as date) as cohort_month
    from orders
    group by orders.customer_id
),

cohorts as (
    select first_orders.*
    from first_orders
    where first_orders.cohort_month >= cast(date_trunc('month', cast(:from_date as date)) as date)
),

cohort_sizes as (
    select cohorts.cohort_month, count(*) as cohort_customers
    from cohorts
    group by cohorts.cohort_month
),

activity as (
    select
        cohorts.cohort_month,
        cast(
            (extract(year from orders.order_date) * 12 + extract(month from orders.order_date))
                - (extract(year from cohorts.cohort_month) * 12 + extract(month from cohorts.cohort_month))
            as integer
        ) as months_since_first_order,
        orders.customer_id,
        orders.recognized_revenue
    from orders
    inner join cohorts
        on cohorts.customer_id = orders.customer_id
),

monthly as (
    select
        activity.cohort_month,
        activity.months_since_first_order,
        count(distinct activity.customer_id) as active_customers,
        count(*) as orders,
        sum(activity.recognized_revenue) as revenue
    from activity
    group by activity.cohort_month, activity.months_since_first_order
)

select
    monthly.cohort_month,
    monthly.months_since_first_order,
    cohort_sizes.cohort_customers,
    monthly.active_customers,
    monthly.orders,
    monthly.revenue,
    sum(monthly.revenue) over (
        partition by monthly.cohort_month order by monthly.months_since_first_order
        rows between unbounded preceding and current row
    ) as cumulative_revenue
from monthly
inner join cohort_sizes
    on cohort_sizes.cohort_month = monthly.cohort_month
order by monthly.cohort_month, monthly.months_since_first_order

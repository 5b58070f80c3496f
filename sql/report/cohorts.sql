-- Report section cohorts: customers by the month of their first order (any
-- status, as known at load :known_seq), for cohorts starting in the period, and
-- their orders and recognized revenue in each month since, up to :to_date.
-- Parameters: :known_seq, :from_date, :to_date.
with orders as (
    select known_rows.customer_id, known_rows.order_date, known_rows.recognized_revenue
    from known.orders as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.order_date <= cast(:to_date as date)
),

customer_months as (
    -- one row per customer and month with orders: active customers are counted, not de-duplicated
    select
        orders.customer_id,
        cast(date_trunc('month', orders.order_date) as date) as order_month,
        count(*) as orders,
        sum(orders.recognized_revenue) as revenue
    from orders
    group by orders.customer_id, cast(date_trunc('month', orders.order_date) as date)
),

with_cohort as (
    select
        customer_months.*,
        min(customer_months.order_month) over (partition by customer_months.customer_id) as cohort_month
    from customer_months
),

activity as (
    select
        with_cohort.cohort_month,
        cast(
            (extract(year from with_cohort.order_month) * 12 + extract(month from with_cohort.order_month))
                - (extract(year from with_cohort.cohort_month) * 12 + extract(month from with_cohort.cohort_month))
            as integer
        ) as months_since_first_order,
        with_cohort.orders,
        with_cohort.revenue
    from with_cohort
    where with_cohort.cohort_month >= cast(date_trunc('month', cast(:from_date as date)) as date)
),

monthly as (
    select
        activity.cohort_month,
        activity.months_since_first_order,
        count(*) as active_customers,
        sum(activity.orders) as orders,
        sum(activity.revenue) as revenue
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
inner join (
    -- every cohort member is active in month 0
    select monthly_first.cohort_month, monthly_first.active_customers as cohort_customers
    from monthly as monthly_first
    where monthly_first.months_since_first_order = 0
) as cohort_sizes
    on cohort_sizes.cohort_month = monthly.cohort_month
order by monthly.cohort_month, monthly.months_since_first_order

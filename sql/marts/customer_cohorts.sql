-- mart.customer_cohorts: customers grouped by the month of their first order
-- (cohort_month, any status), and their activity in each later month.
-- Grain: one row per cohort month and months_since_first_order with orders.
-- revenue is recognized revenue (cancelled and returned orders earn none);
-- cumulative_revenue_per_customer is the cohort's lifetime value to that month.
create or replace view mart.customer_cohorts as
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where known_rows.known_to is null
),

first_orders as (
    select orders.customer_id, cast(date_trunc('month', min(orders.order_ts)) as date) as cohort_month
    from orders
    group by orders.customer_id
),

cohort_sizes as (
    select first_orders.cohort_month, count(*) as cohort_customers
    from first_orders
    group by first_orders.cohort_month
),

activity as (
    select
        first_orders.cohort_month,
        (extract(year from orders.order_date) * 12 + extract(month from orders.order_date))
            - (extract(year from first_orders.cohort_month) * 12 + extract(month from first_orders.cohort_month)) as months_since_first_order,
        count(distinct orders.customer_id) as active_customers,
        count(*) as orders,
        sum(orders.recognized_revenue) as revenue
    from orders
    inner join first_orders
        on first_orders.customer_id = orders.customer_id
    group by
        first_orders.cohort_month,
        (extract(year from orders.order_date) * 12 + extract(month from orders.order_date))
            - (extract(year from first_orders.cohort_month) * 12 + extract(month from first_orders.cohort_month))
)

select
    activity.cohort_month,
    cast(activity.months_since_first_order as integer) as months_since_first_order,
    cohort_sizes.cohort_customers,
    activity.active_customers,
    activity.orders,
    activity.revenue,
    sum(activity.revenue) over (
        partition by activity.cohort_month order by activity.months_since_first_order
        rows between unbounded preceding and current row
    ) as cumulative_revenue,
    sum(activity.revenue) over (
        partition by activity.cohort_month order by activity.months_since_first_order
        rows between unbounded preceding and current row
    ) / cohort_sizes.cohort_customers as cumulative_revenue_per_customer
from activity
inner join cohort_sizes
    on cohort_sizes.cohort_month = activity.cohort_month;

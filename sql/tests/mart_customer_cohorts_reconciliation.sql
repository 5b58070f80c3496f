-- mart.customer_cohorts: for the cohorts of the affected orders' customers, the
-- cohort size and its recognized revenue over all months equal what
-- fact_order_fulfillment gives (cohort = month of the customer's first order).
with customer_orders as (
    select customers.customer_id, facts.order_ts, facts.net_revenue, facts.is_cancelled, facts.is_returned
    from dw.fact_order_fulfillment as facts
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
),

first_orders as (
    select customer_orders.customer_id, cast(date_trunc('month', min(customer_orders.order_ts)) as date) as cohort_month
    from customer_orders
    group by customer_orders.customer_id
),

touched_cohorts as (
    select distinct first_orders.cohort_month
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
    inner join first_orders on first_orders.customer_id = customers.customer_id
),

expected as (
    select
        first_orders.cohort_month,
        count(distinct first_orders.customer_id) as cohort_customers,
        sum(case when customer_orders.is_cancelled or customer_orders.is_returned then 0 else customer_orders.net_revenue end) as revenue
    from first_orders
    inner join touched_cohorts on touched_cohorts.cohort_month = first_orders.cohort_month
    inner join customer_orders on customer_orders.customer_id = first_orders.customer_id
    group by first_orders.cohort_month
),

actual as (
    select cohorts.cohort_month, max(cohorts.cohort_customers) as cohort_customers, sum(cohorts.revenue) as revenue
    from mart.customer_cohorts as cohorts
    inner join touched_cohorts on touched_cohorts.cohort_month = cohorts.cohort_month
    group by cohorts.cohort_month
)

select cast(coalesce(expected.cohort_month, actual.cohort_month) as varchar(32)) as failure_key
from expected
full outer join actual on actual.cohort_month = expected.cohort_month
where not {{ same(expected.cohort_customers, actual.cohort_customers) }}
    or not {{ same(expected.revenue, actual.revenue) }}

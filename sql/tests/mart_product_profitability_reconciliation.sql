-- mart.product_profitability: for the products and order months the batch
-- touched, recognized revenue and purchase-time cost add up to what
-- fact_order_items holds (cost of recognized items with a known cost).
with touched as (
    select distinct products.product_id, cast(date_trunc('month', facts.order_ts) as date) as order_month
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_products as products on products.product_sk = facts.product_sk
),

expected as (
    select
        touched.product_id,
        touched.order_month,
        sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.net_revenue end) as revenue,
        sum(case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.cost_amount end) as cost
    from dw.fact_order_items as facts
    inner join dw.dim_products as products on products.product_sk = facts.product_sk
    inner join touched
        on touched.product_id = products.product_id
        and touched.order_month = cast(date_trunc('month', facts.order_ts) as date)
    group by touched.product_id, touched.order_month
),

actual as (
    select profitability.product_id, profitability.order_month, profitability.revenue, profitability.cost
    from mart.product_profitability as profitability
    inner join touched
        on touched.product_id = profitability.product_id
        and touched.order_month = profitability.order_month
)

select coalesce(expected.product_id, actual.product_id) || ' ' || cast(coalesce(expected.order_month, actual.order_month) as varchar(32)) as failure_key
from expected
full outer join actual
    on actual.product_id = expected.product_id
    and actual.order_month = expected.order_month
where not {{ same(expected.revenue, actual.revenue) }}
    or not {{ same(expected.cost, actual.cost) }}

-- mart.sales: for the affected orders, one row per fact_order_items row with the
-- same net revenue, the recognized revenue the revenue definition gives (none for
-- cancelled or returned orders), and the category, segment and city of the
-- dimension versions the fact points at (at purchase).
with facts as (
    select
        facts.order_id,
        facts.line_number,
        facts.net_revenue,
        case when coalesce(facts.order_status, '') in ('cancelled', 'returned') then 0 else facts.net_revenue end as recognized_revenue,
        products.category,
        customers.segment,
        customers.city
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_products as products on products.product_sk = facts.product_sk
    inner join dw.dim_customers as customers on customers.customer_sk = facts.customer_sk
),

marts as (
    select sales.*
    from mart.sales as sales
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = sales.order_id
)

-- one pass over both sides: a row on one side only is missing or extra, a row on
-- both that disagrees differs
select
    {{ reconciliation_failure(facts.order_id, marts.order_id) }} || coalesce(facts.order_id, marts.order_id) || '#' || cast(coalesce(facts.line_number, marts.line_number) as varchar(32)) as failure_key
from facts
full outer join marts
    on marts.order_id = facts.order_id and marts.line_number = facts.line_number
where marts.order_id is null
    or facts.order_id is null
    or (
        marts.net_revenue <> facts.net_revenue
        or marts.recognized_revenue <> facts.recognized_revenue
        or not {{ same(marts.category, facts.category) }}
        or not {{ same(marts.segment, facts.segment) }}
        or not {{ same(marts.city, facts.city) }}
    )

-- fact_order_items: customer_sk and product_sk are the versions of the order's
-- customer and the item's product valid at order_ts (affected orders).
-- Left joins that find no version, rather than NOT EXISTS: DuckDB plans the
-- correlated form as two delim joins over the facts, twice the time.
with facts as (
    select fact.order_id, fact.line_number, fact.order_ts, fact.customer_sk, fact.product_sk, orders.customer_id, items.product_id
    from dw.fact_order_items as fact
    inner join history.batch_affected_orders as affected on affected.order_id = fact.order_id and affected.batch_id = :batch_id
    inner join history.orders as orders on orders.order_id = fact.order_id
    inner join history.order_items as items
        on items.order_id = fact.order_id and items.line_number = fact.line_number
)

select 'customer ' || facts.order_id || '#' || cast(facts.line_number as varchar) as failure_key
from facts
left join dw.dim_customers as dims
    on dims.customer_sk = facts.customer_sk
    and dims.customer_id = facts.customer_id
    and dims.valid_from <= facts.order_ts and facts.order_ts < dims.valid_to
where dims.customer_sk is null
union all
select 'product ' || facts.order_id || '#' || cast(facts.line_number as varchar)
from facts
left join dw.dim_products as dims
    on dims.product_sk = facts.product_sk
    and dims.product_id = facts.product_id
    and dims.valid_from <= facts.order_ts and facts.order_ts < dims.valid_to
where dims.product_sk is null

-- fact_order_fulfillment: customer_sk is the version of the order's customer valid at order_ts.
-- A left join that finds no version, rather than NOT EXISTS (a delim join in DuckDB).
select facts.order_id as failure_key
from dw.fact_order_fulfillment as facts
inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
inner join history.orders as orders on orders.order_id = facts.order_id
left join dw.dim_customers as dims
    on dims.customer_sk = facts.customer_sk
    and dims.customer_id = orders.customer_id
    and dims.valid_from <= orders.order_ts and orders.order_ts < dims.valid_to
where dims.customer_sk is null

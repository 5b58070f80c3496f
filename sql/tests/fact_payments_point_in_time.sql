-- fact_payments: customer_sk is the version of the order's customer valid at the order's order_ts.
-- A left join that finds no version, rather than NOT EXISTS (a delim join in DuckDB).
select facts.payment_id as failure_key
from dw.fact_payments as facts
inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
inner join history.orders as orders on orders.order_id = facts.order_id
left join dw.dim_customers as dims
    on dims.customer_sk = facts.customer_sk
    and dims.customer_id = orders.customer_id
    and dims.valid_from <= orders.order_ts and orders.order_ts < dims.valid_to
where dims.customer_sk is null

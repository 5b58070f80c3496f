-- fact_order_items: every key of the affected orders' facts exists in its dimension.
with facts as (
    select fact.*
    from dw.fact_order_items as fact
    inner join history.batch_affected_orders as affected on affected.order_id = fact.order_id and affected.batch_id = :batch_id
)

select 'customer_sk ' || facts.order_id as failure_key from facts
where not exists (select 1 from dw.dim_customers as dims where dims.customer_sk = facts.customer_sk)
union all
select 'product_sk ' || facts.order_id from facts
where not exists (select 1 from dw.dim_products as dims where dims.product_sk = facts.product_sk)
union all
select 'payment_method_key ' || facts.order_id from facts
where not exists (select 1 from dw.dim_payment_methods as dims where dims.payment_method_key = facts.payment_method_key)
union all
select 'shipment_status_key ' || facts.order_id from facts
where not exists (select 1 from dw.dim_shipment_status as dims where dims.shipment_status_key = facts.shipment_status_key)
union all
select 'order_date_key ' || facts.order_id from facts
where not exists (select 1 from dw.dim_date as dims where dims.date_key = facts.order_date_key)

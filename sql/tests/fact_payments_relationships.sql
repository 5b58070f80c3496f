-- fact_payments: every key of the affected orders' payments exists in its dimension.
with facts as (
    select fact.*
    from dw.fact_payments as fact
    inner join history.batch_affected_orders as affected on affected.order_id = fact.order_id and affected.batch_id = :batch_id
)

select 'customer_sk ' || facts.payment_id as failure_key from facts
where not exists (select 1 from dw.dim_customers as dims where dims.customer_sk = facts.customer_sk)
union all
select 'payment_method_key ' || facts.payment_id from facts
where not exists (select 1 from dw.dim_payment_methods as dims where dims.payment_method_key = facts.payment_method_key)
union all
select 'payment_date_key ' || facts.payment_id from facts
where not exists (select 1 from dw.dim_date as dims where dims.date_key = facts.payment_date_key)

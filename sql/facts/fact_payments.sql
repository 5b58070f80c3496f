-- fact_payments: one row per payment whose order has arrived, rebuilt for the
-- affected orders. customer_sk is the order's customer version valid at the
-- order's order_ts. Parameters: :batch_id.
delete from dw.fact_payments
where dw.fact_payments.order_id in (select affected.order_id from tmp_affected_orders as affected);

insert into dw.fact_payments (
    payment_id, order_id, paid_at, payment_date_key, payment_method_key, customer_sk, amount, batch_id
)
with affected_orders as (
    select orders.*
    from history.orders as orders
    inner join tmp_affected_orders as affected
        on affected.order_id = orders.order_id
),

order_payments as (
    select
        payments.payment_id,
        payments.order_id,
        payments.paid_at,
        payments.payment_method,
        payments.amount,
        affected_orders.customer_id,
        affected_orders.order_ts
    from history.payments as payments
    inner join affected_orders
        on affected_orders.order_id = payments.order_id
)

select
    order_payments.payment_id,
    order_payments.order_id,
    order_payments.paid_at,
    cast(extract(year from order_payments.paid_at) * 10000 + extract(month from order_payments.paid_at) * 100 + extract(day from order_payments.paid_at) as integer) as payment_date_key,
    payment_methods.payment_method_key,
    customers.customer_sk,
    order_payments.amount,
    :batch_id as batch_id
from order_payments
left join dw.dim_payment_methods as payment_methods
    on payment_methods.payment_method_code = order_payments.payment_method
left join dw.dim_customers as customers
    on customers.customer_id = order_payments.customer_id
    and customers.valid_from <= order_payments.order_ts
    and order_payments.order_ts < customers.valid_to;

-- fact_payments: one row per payment of an order received so far.
-- Incremental: each run rebuilds the payments of the orders touched since the
-- last run (delete+insert by payment_id). customer_sk is the order's customer
-- version valid at the order's order_ts; a payment pointing at the unknown
-- customer is rebuilt on every run until the customer arrives.
{{ config(materialized='incremental', unique_key='payment_id', incremental_strategy='delete+insert') }}

with touched_orders as (
    {% if is_incremental() %}
    {{ touched_orders(['customer_sk']) }}
    {% else %}
    select order_id from {{ ref('orders_current') }}
    {% endif %}
),

loaded_through as (
    {{ loaded_through() }}
),

orders as (
    select orders_current.*
    from {{ ref('orders_current') }} as orders_current
    inner join touched_orders
        on touched_orders.order_id = orders_current.order_id
),

payments as (
    select payments_current.*
    from {{ ref('payments_current') }} as payments_current
    inner join orders
        on orders.order_id = payments_current.order_id
),

final as (
    select
        ---------- keys
        payments.payment_id,
        payments.order_id,
        cast(strftime(payments.paid_at, '%Y%m%d') as integer) as payment_date_key,
        payment_methods.payment_method_key,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        ---------- attributes
        payments.paid_at,
        ---------- numerics
        payments.amount,
        ---------- lineage
        loaded_through.batch_id
    from payments
    inner join orders
        on orders.order_id = payments.order_id
    left join {{ ref('dim_customers') }} as customers
        on customers.customer_id = orders.customer_id
        and customers.valid_from <= orders.order_ts
        and orders.order_ts < customers.valid_to
    left join {{ ref('dim_payment_methods') }} as payment_methods
        on payment_methods.payment_method_code = payments.payment_method
    cross join loaded_through
)

select * from final

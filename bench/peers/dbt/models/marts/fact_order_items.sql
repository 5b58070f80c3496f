-- fact_order_items: one row per live order line (order_id, line_number).
-- Incremental: each run rebuilds every line of the orders touched since the
-- last run (delete+insert by order_id), from the current state of orders,
-- lines, payments and shipments. Deleted lines are rebuilt too and removed by
-- the post-hook: delete+insert deletes only the orders it inserts rows for, so
-- an order whose every line was deleted would keep its old rows otherwise. Dimension keys are the versions valid at
-- order_ts (point in time); a key with no version points at the unknown member,
-- and its order is rebuilt on every run until the version arrives.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    post_hook='delete from {{ this }} where is_deleted',
) }}

with touched_orders as (
    {% if is_incremental() %}
    {{ touched_orders(['customer_sk', 'product_sk']) }}
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

items as (
    select order_items_current.*
    from {{ ref('order_items_current') }} as order_items_current
    inner join orders
        on orders.order_id = order_items_current.order_id
),

primary_payments as (
    -- largest amount, then smallest payment_id
    select payments.order_id, payments.payment_method
    from {{ ref('payments_current') }} as payments
    inner join orders
        on orders.order_id = payments.order_id
    qualify row_number() over (
        partition by payments.order_id order by payments.amount desc, payments.payment_id asc
    ) = 1
),

latest_shipments as (
    -- greatest updated_at, then greatest shipment_id
    select shipments.order_id, shipments.status
    from {{ ref('shipments_current') }} as shipments
    inner join orders
        on orders.order_id = shipments.order_id
    qualify row_number() over (
        partition by shipments.order_id order by shipments.updated_at desc, shipments.shipment_id desc
    ) = 1
),

order_context as (
    select
        orders.order_id,
        orders.order_ts,
        orders.status as order_status,
        coalesce(customers.customer_sk, '-1') as customer_sk,
        payment_methods.payment_method_key,
        shipment_statuses.shipment_status_key
    from orders
    left join {{ ref('dim_customers') }} as customers
        on customers.customer_id = orders.customer_id
        and customers.valid_from <= orders.order_ts
        and orders.order_ts < customers.valid_to
    left join primary_payments
        on primary_payments.order_id = orders.order_id
    left join {{ ref('dim_payment_methods') }} as payment_methods
        on payment_methods.payment_method_code = coalesce(primary_payments.payment_method, 'unknown')
    left join latest_shipments
        on latest_shipments.order_id = orders.order_id
    left join {{ ref('dim_shipment_status') }} as shipment_statuses
        on shipment_statuses.status_code = coalesce(latest_shipments.status, 'unknown')
),

priced as (
    select
        items.order_id,
        items.line_number,
        order_context.order_ts,
        order_context.customer_sk,
        coalesce(products.product_sk, '-1') as product_sk,
        order_context.payment_method_key,
        order_context.shipment_status_key,
        order_context.order_status,
        items.quantity,
        items.unit_price,
        items.discount_amount,
        items.shipping_amount,
        items.is_deleted,
        products.unit_cost
    from items
    inner join order_context
        on order_context.order_id = items.order_id
    left join {{ ref('dim_products') }} as products
        on products.product_id = items.product_id
        and products.valid_from <= order_context.order_ts
        and order_context.order_ts < products.valid_to
),

final as (
    select
        ---------- keys
        priced.order_id,
        priced.line_number,
        cast(strftime(priced.order_ts, '%Y%m%d') as integer) as order_date_key,
        priced.customer_sk,
        priced.product_sk,
        priced.payment_method_key,
        priced.shipment_status_key,
        ---------- attributes
        priced.order_ts,
        priced.order_status,
        ---------- numerics
        priced.quantity,
        priced.unit_price,
        priced.discount_amount,
        cast(priced.quantity * priced.unit_price as decimal(18, 4)) as gross_revenue,
        cast(priced.quantity * priced.unit_price - priced.discount_amount as decimal(18, 4)) as net_revenue,
        priced.shipping_amount,
        priced.unit_cost,
        cast(priced.quantity * priced.unit_cost as decimal(18, 4)) as cost_amount,
        cast(priced.quantity * priced.unit_price - priced.discount_amount - priced.quantity * priced.unit_cost as decimal(18, 4)) as margin,
        ---------- flags
        -- a deleted line is removed by the post-hook
        priced.is_deleted,
        ---------- lineage
        loaded_through.batch_id
    from priced
    cross join loaded_through
)

select * from final

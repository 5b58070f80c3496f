-- fact_order_items: one row per order item (order_id, line_number), rebuilt for
-- the affected orders from the latest records. Dimension keys are the versions
-- valid at order_ts (point in time). Parameters: :batch_id.
-- Most of a day's affected orders changed only at the order level (a status step,
-- a shipment): their items keep every per-item value (product version, cost,
-- prices), and only the order's columns are updated in place; the others' items
-- are deleted and built again.

-- 1. Each affected order's own values, and whether only they can have moved.
{{ create_temp_table(tmp_order_context) }} as
with affected_orders as (
    select orders.*
    from history.orders as orders
    inner join tmp_affected_orders as affected
        on affected.order_id = orders.order_id
),

primary_payments as (
    -- the order's primary payment: largest amount, then smallest payment_id
    select ranked.order_id, ranked.payment_method
    from (
        select
            payments.order_id,
            payments.payment_method,
            row_number() over (
                partition by payments.order_id order by payments.amount desc, payments.payment_id asc
            ) as payment_rank
        from history.payments as payments
        inner join affected_orders
            on affected_orders.order_id = payments.order_id
    ) as ranked
    where ranked.payment_rank = 1
),

latest_shipments as (
    -- the order's latest shipment status: greatest updated_at, then greatest shipment_id
    select ranked.order_id, ranked.status
    from (
        select
            shipments.order_id,
            shipments.status,
            row_number() over (
                partition by shipments.order_id order by shipments.updated_at desc, shipments.shipment_id desc
            ) as shipment_rank
        from history.shipments as shipments
        inner join affected_orders
            on affected_orders.order_id = shipments.order_id
    ) as ranked
    where ranked.shipment_rank = 1
),

item_level_orders as (
    select item_orders.order_id
    from history.batch_item_orders as item_orders
    where item_orders.batch_id = :batch_id
),

stored_orders as (
    -- the time the order's item facts were built with
    select distinct stored.order_id, stored.order_ts
    from dw.fact_order_items as stored
    inner join tmp_affected_orders as affected
        on affected.order_id = stored.order_id
),

order_context as (
    select
        affected_orders.order_id,
        affected_orders.order_ts,
        affected_orders.status as order_status,
        customers.customer_sk,
        payment_methods.payment_method_key,
        shipment_statuses.shipment_status_key,
        -- an order the batch touched only at the order level (its status, customer or
        -- shipments; not its items, payments or the dimension history they point at),
        -- whose time its item facts still have: their per-item values stand
        case when item_level_orders.order_id is null and stored_orders.order_id is not null then true else false end as is_order_level
    from affected_orders
    left join dw.dim_customers as customers
        on customers.customer_id = affected_orders.customer_id
        and customers.valid_from <= affected_orders.order_ts
        and affected_orders.order_ts < customers.valid_to
    left join primary_payments
        on primary_payments.order_id = affected_orders.order_id
    left join dw.dim_payment_methods as payment_methods
        on payment_methods.payment_method_code = coalesce(primary_payments.payment_method, 'unknown')
    left join latest_shipments
        on latest_shipments.order_id = affected_orders.order_id
    left join dw.dim_shipment_status as shipment_statuses
        on shipment_statuses.status_code = coalesce(latest_shipments.status, 'unknown')
    left join item_level_orders
        on item_level_orders.order_id = affected_orders.order_id
    left join stored_orders
        on stored_orders.order_id = affected_orders.order_id
        and stored_orders.order_ts = affected_orders.order_ts
)

select * from order_context;

-- 2. Orders changed only at the order level: their items take the order's new values.
update dw.fact_order_items
set
    customer_sk = context.customer_sk,
    payment_method_key = context.payment_method_key,
    shipment_status_key = context.shipment_status_key,
    order_status = context.order_status,
    batch_id = :batch_id
from tmp_order_context as context
where context.is_order_level
    and context.order_id = dw.fact_order_items.order_id;

-- 3. The other affected orders' items (an order gone from history's included) are built again.
delete from dw.fact_order_items
where dw.fact_order_items.order_id in (
    select affected.order_id
    from tmp_affected_orders as affected
    left join tmp_order_context as context
        on context.order_id = affected.order_id
        and context.is_order_level
    where context.order_id is null
);

insert into dw.fact_order_items (
    order_id, line_number, order_ts, order_date_key, customer_sk, product_sk, payment_method_key,
    shipment_status_key, order_status, quantity, unit_price, discount_amount, gross_revenue,
    net_revenue, shipping_amount, unit_cost, cost_amount, margin, batch_id
)
with priced as (
    -- the live items of the orders built again (a deleted item, a tombstone, leaves the fact)
    select
        items.order_id,
        items.line_number,
        order_context.order_ts,
        order_context.customer_sk,
        products.product_sk,
        order_context.payment_method_key,
        order_context.shipment_status_key,
        order_context.order_status,
        items.quantity,
        items.unit_price,
        coalesce(items.discount_amount, 0) as discount_amount,
        coalesce(items.shipping_amount, 0) as shipping_amount,
        products.unit_cost
    from history.order_items as items
    inner join tmp_order_context as order_context
        on order_context.order_id = items.order_id
    left join dw.dim_products as products
        on products.product_id = items.product_id
        and products.valid_from <= order_context.order_ts
        and order_context.order_ts < products.valid_to
    where not items.is_deleted
        and not order_context.is_order_level
)

-- A missing dimension version leaves a NULL key, which the NOT NULL columns
-- refuse: the step fails loudly rather than dropping revenue.
select
    priced.order_id,
    priced.line_number,
    priced.order_ts,
    cast(extract(year from priced.order_ts) * 10000 + extract(month from priced.order_ts) * 100 + extract(day from priced.order_ts) as integer) as order_date_key,
    priced.customer_sk,
    priced.product_sk,
    priced.payment_method_key,
    priced.shipment_status_key,
    priced.order_status,
    priced.quantity,
    priced.unit_price,
    priced.discount_amount,
    cast(priced.quantity * priced.unit_price as decimal(18,4)) as gross_revenue,
    cast(priced.quantity * priced.unit_price - priced.discount_amount as decimal(18,4)) as net_revenue,
    priced.shipping_amount,
    priced.unit_cost,
    cast(priced.quantity * priced.unit_cost as decimal(18,4)) as cost_amount,
    cast(priced.quantity * priced.unit_price - priced.discount_amount - priced.quantity * priced.unit_cost as decimal(18,4)) as margin,
    :batch_id as batch_id
from priced;

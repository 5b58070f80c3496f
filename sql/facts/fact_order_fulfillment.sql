-- fact_order_fulfillment: one row per order (accumulating snapshot), rebuilt for
-- the affected orders after their item and payment facts. Milestones: first
-- paid_at of its payments, first shipped_at and latest delivered_at of its
-- shipments (their latest records); lags in hours between them. An order
-- without items still has its row. Parameters: :batch_id.
delete from dw.fact_order_fulfillment
where dw.fact_order_fulfillment.order_id in (select affected.order_id from history.batch_affected_orders as affected where affected.batch_id = :batch_id);

insert into dw.fact_order_fulfillment (
    order_id, order_ts, order_date_key, customer_sk, payment_method_key, shipment_status_key, order_status,
    item_count, unit_count, net_revenue, payment_count, paid_amount,
    first_paid_at, first_shipped_at, delivered_at,
    placed_to_paid_hours, placed_to_shipped_hours, shipped_to_delivered_hours, placed_to_delivered_hours,
    is_paid, is_shipped, is_delivered, is_cancelled, is_returned, batch_id
)
with affected_orders as (
    select orders.*
    from history.orders as orders
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = orders.order_id
),

item_totals as (
    -- the order's live items, as fact_order_items holds them
    select
        facts.order_id,
        count(*) as item_count,
        sum(facts.quantity) as unit_count,
        sum(facts.net_revenue) as net_revenue
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    group by facts.order_id
),

ranked_payments as (
    select
        facts.order_id,
        facts.paid_at,
        facts.amount,
        facts.payment_method_key,
        -- the order's primary payment: largest amount, then smallest payment_id
        row_number() over (
            partition by facts.order_id order by facts.amount desc, facts.payment_id asc
        ) as payment_rank
    from dw.fact_payments as facts
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = facts.order_id
),

payment_totals as (
    select
        ranked_payments.order_id,
        count(*) as payment_count,
        sum(ranked_payments.amount) as paid_amount,
        min(ranked_payments.paid_at) as first_paid_at,
        max(case when ranked_payments.payment_rank = 1 then ranked_payments.payment_method_key end) as payment_method_key
    from ranked_payments
    group by ranked_payments.order_id
),

ranked_shipments as (
    select
        shipments.order_id,
        shipments.status,
        shipments.shipped_at,
        shipments.delivered_at,
        -- the order's latest shipment status: greatest updated_at, then greatest shipment_id
        row_number() over (
            partition by shipments.order_id order by shipments.updated_at desc, shipments.shipment_id desc
        ) as shipment_rank
    from history.shipments as shipments
    inner join affected_orders
        on affected_orders.order_id = shipments.order_id
),

shipment_milestones as (
    select
        ranked_shipments.order_id,
        min(ranked_shipments.shipped_at) as first_shipped_at,
        max(ranked_shipments.delivered_at) as delivered_at,
        max(case when ranked_shipments.shipment_rank = 1 then ranked_shipments.status end) as latest_status
    from ranked_shipments
    group by ranked_shipments.order_id
),

milestones as (
    select
        affected_orders.order_id,
        affected_orders.order_ts,
        affected_orders.status as order_status,
        customers.customer_sk,
        coalesce(payment_totals.payment_method_key, unknown_method.payment_method_key) as payment_method_key,
        shipment_statuses.shipment_status_key,
        coalesce(item_totals.item_count, 0) as item_count,
        coalesce(item_totals.unit_count, 0) as unit_count,
        coalesce(item_totals.net_revenue, 0) as net_revenue,
        coalesce(payment_totals.payment_count, 0) as payment_count,
        coalesce(payment_totals.paid_amount, 0) as paid_amount,
        payment_totals.first_paid_at,
        shipment_milestones.first_shipped_at,
        shipment_milestones.delivered_at
    from affected_orders
    left join dw.dim_customers as customers
        on customers.customer_id = affected_orders.customer_id
        and customers.valid_from <= affected_orders.order_ts
        and affected_orders.order_ts < customers.valid_to
    left join item_totals
        on item_totals.order_id = affected_orders.order_id
    left join payment_totals
        on payment_totals.order_id = affected_orders.order_id
    left join dw.dim_payment_methods as unknown_method
        on unknown_method.payment_method_code = 'unknown'
    left join shipment_milestones
        on shipment_milestones.order_id = affected_orders.order_id
    left join dw.dim_shipment_status as shipment_statuses
        on shipment_statuses.status_code = coalesce(shipment_milestones.latest_status, 'unknown')
)

-- A missing dimension version leaves a NULL key, which the NOT NULL columns
-- refuse: the step fails loudly rather than dropping an order.
select
    milestones.order_id,
    milestones.order_ts,
    cast(extract(year from milestones.order_ts) * 10000 + extract(month from milestones.order_ts) * 100 + extract(day from milestones.order_ts) as integer) as order_date_key,
    milestones.customer_sk,
    milestones.payment_method_key,
    milestones.shipment_status_key,
    milestones.order_status,
    milestones.item_count,
    milestones.unit_count,
    milestones.net_revenue,
    milestones.payment_count,
    milestones.paid_amount,
    milestones.first_paid_at,
    milestones.first_shipped_at,
    milestones.delivered_at,
    {{ lag_hours(milestones.order_ts, milestones.first_paid_at) }} as placed_to_paid_hours,
    {{ lag_hours(milestones.order_ts, milestones.first_shipped_at) }} as placed_to_shipped_hours,
    {{ lag_hours(milestones.first_shipped_at, milestones.delivered_at) }} as shipped_to_delivered_hours,
    {{ lag_hours(milestones.order_ts, milestones.delivered_at) }} as placed_to_delivered_hours,
    case when milestones.first_paid_at is null then false else true end as is_paid,
    case when milestones.first_shipped_at is null then false else true end as is_shipped,
    case when milestones.delivered_at is null then false else true end as is_delivered,
    case when milestones.order_status = 'cancelled' then true else false end as is_cancelled,
    case when milestones.order_status = 'returned' then true else false end as is_returned,
    cast(:batch_id as varchar(64)) as batch_id
from milestones;

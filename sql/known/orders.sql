-- known.orders: the affected orders as dw.fact_order_fulfillment now holds them,
-- with the customer attributes valid at purchase, the payment channel and the
-- revenue definition of known.order_items; changed versions closed, new ones
-- opened. Parameters: :load_seq.
drop table if exists tmp_known_orders_now;

create temp table tmp_known_orders_now as
with order_facts as (
    select facts.*
    from dw.fact_order_fulfillment as facts
    inner join staging.affected_orders as affected
        on affected.order_id = facts.order_id
),

attributed as (
    select
        order_facts.order_id,
        order_facts.order_ts,
        cast(order_facts.order_ts as date) as order_date,
        customers.customer_id,
        order_facts.customer_sk,
        order_facts.order_status,
        case
            when order_facts.is_cancelled then 'cancelled'
            when order_facts.is_returned then 'returned'
            else 'booked'
        end as revenue_state,
        payment_methods.payment_method_code as payment_method,
        payment_methods.payment_channel,
        shipment_statuses.status_code as shipment_status,
        customers.segment,
        customers.city,
        customers.state,
        customers.country,
        order_facts.item_count,
        order_facts.unit_count,
        order_facts.net_revenue,
        order_facts.payment_count,
        order_facts.paid_amount,
        order_facts.first_paid_at,
        order_facts.first_shipped_at,
        order_facts.delivered_at,
        order_facts.placed_to_paid_hours,
        order_facts.placed_to_shipped_hours,
        order_facts.shipped_to_delivered_hours,
        order_facts.placed_to_delivered_hours,
        order_facts.is_paid,
        order_facts.is_shipped,
        order_facts.is_delivered,
        order_facts.is_cancelled,
        order_facts.is_returned
    from order_facts
    inner join dw.dim_customers as customers
        on customers.customer_sk = order_facts.customer_sk
    inner join dw.dim_payment_methods as payment_methods
        on payment_methods.payment_method_key = order_facts.payment_method_key
    inner join dw.dim_shipment_status as shipment_statuses
        on shipment_statuses.shipment_status_key = order_facts.shipment_status_key
)

select
    attributed.order_id, attributed.order_ts, attributed.order_date, attributed.customer_id, attributed.customer_sk,
    attributed.order_status, attributed.revenue_state, attributed.payment_method, attributed.payment_channel,
    attributed.shipment_status, attributed.segment, attributed.city, attributed.state, attributed.country,
    attributed.item_count, attributed.unit_count, attributed.net_revenue,
    case when attributed.revenue_state = 'booked' then attributed.net_revenue else cast(0 as decimal(18,4)) end as recognized_revenue,
    attributed.payment_count, attributed.paid_amount, attributed.first_paid_at, attributed.first_shipped_at,
    attributed.delivered_at, attributed.placed_to_paid_hours, attributed.placed_to_shipped_hours,
    attributed.shipped_to_delivered_hours, attributed.placed_to_delivered_hours,
    attributed.is_paid, attributed.is_shipped, attributed.is_delivered, attributed.is_cancelled, attributed.is_returned
from attributed;

update known.orders
set known_to = cast(:load_seq as bigint)
from (
    select
        known_rows.order_id, known_rows.order_ts, known_rows.order_date, known_rows.customer_id, known_rows.customer_sk,
        known_rows.order_status, known_rows.revenue_state, known_rows.payment_method, known_rows.payment_channel,
        known_rows.shipment_status, known_rows.segment, known_rows.city, known_rows.state, known_rows.country,
        known_rows.item_count, known_rows.unit_count, known_rows.net_revenue, known_rows.recognized_revenue,
        known_rows.payment_count, known_rows.paid_amount, known_rows.first_paid_at, known_rows.first_shipped_at,
        known_rows.delivered_at, known_rows.placed_to_paid_hours, known_rows.placed_to_shipped_hours,
        known_rows.shipped_to_delivered_hours, known_rows.placed_to_delivered_hours,
        known_rows.is_paid, known_rows.is_shipped, known_rows.is_delivered, known_rows.is_cancelled, known_rows.is_returned
    from known.orders as known_rows
    inner join staging.affected_orders as affected
        on affected.order_id = known_rows.order_id
    where known_rows.known_to is null
    except
    select * from tmp_known_orders_now
) as closed
where known.orders.order_id = closed.order_id
    and known.orders.known_to is null;

insert into known.orders (
    order_id, order_ts, order_date, customer_id, customer_sk, order_status, revenue_state, payment_method,
    payment_channel, shipment_status, segment, city, state, country, item_count, unit_count, net_revenue,
    recognized_revenue, payment_count, paid_amount, first_paid_at, first_shipped_at, delivered_at,
    placed_to_paid_hours, placed_to_shipped_hours, shipped_to_delivered_hours, placed_to_delivered_hours,
    is_paid, is_shipped, is_delivered, is_cancelled, is_returned, known_from, known_to
)
select
    opened.order_id, opened.order_ts, opened.order_date, opened.customer_id, opened.customer_sk, opened.order_status,
    opened.revenue_state, opened.payment_method, opened.payment_channel, opened.shipment_status, opened.segment,
    opened.city, opened.state, opened.country, opened.item_count, opened.unit_count, opened.net_revenue,
    opened.recognized_revenue, opened.payment_count, opened.paid_amount, opened.first_paid_at,
    opened.first_shipped_at, opened.delivered_at, opened.placed_to_paid_hours, opened.placed_to_shipped_hours,
    opened.shipped_to_delivered_hours, opened.placed_to_delivered_hours,
    opened.is_paid, opened.is_shipped, opened.is_delivered, opened.is_cancelled, opened.is_returned,
    cast(:load_seq as bigint), cast(null as bigint)
from (
    select * from tmp_known_orders_now
    except
    select
        known_rows.order_id, known_rows.order_ts, known_rows.order_date, known_rows.customer_id, known_rows.customer_sk,
        known_rows.order_status, known_rows.revenue_state, known_rows.payment_method, known_rows.payment_channel,
        known_rows.shipment_status, known_rows.segment, known_rows.city, known_rows.state, known_rows.country,
        known_rows.item_count, known_rows.unit_count, known_rows.net_revenue, known_rows.recognized_revenue,
        known_rows.payment_count, known_rows.paid_amount, known_rows.first_paid_at, known_rows.first_shipped_at,
        known_rows.delivered_at, known_rows.placed_to_paid_hours, known_rows.placed_to_shipped_hours,
        known_rows.shipped_to_delivered_hours, known_rows.placed_to_delivered_hours,
        known_rows.is_paid, known_rows.is_shipped, known_rows.is_delivered, known_rows.is_cancelled, known_rows.is_returned
    from known.orders as known_rows
    inner join staging.affected_orders as affected
        on affected.order_id = known_rows.order_id
    where known_rows.known_to is null
) as opened;

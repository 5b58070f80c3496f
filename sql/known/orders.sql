-- known.orders: the affected orders as dw.fact_order_fulfillment now holds them,
-- with the customer attributes valid at purchase, the payment channel and the
-- revenue definition of known.order_items (its shipment status, which moves at
-- every scan, is left to dw: no report needs it); changed versions closed, new
-- ones opened. Parameters: :load_seq.
-- The changed versions, computed once: closed (known as current, no longer
-- what dw holds) and opened (what dw holds, not yet known as current).
drop table if exists tmp_known_orders_diff;

create temp table tmp_known_orders_diff as
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
),

now_rows as (
    select
        attributed.order_id, attributed.order_ts, attributed.order_date, attributed.customer_id, attributed.customer_sk,
        attributed.order_status, attributed.revenue_state, attributed.payment_method, attributed.payment_channel,
        attributed.segment, attributed.city, attributed.state, attributed.country,
        attributed.item_count, attributed.unit_count, attributed.net_revenue,
        case when attributed.revenue_state = 'booked' then attributed.net_revenue else cast(0 as decimal(18,4)) end as recognized_revenue,
        attributed.payment_count, attributed.paid_amount, attributed.first_paid_at, attributed.first_shipped_at,
        attributed.delivered_at, attributed.placed_to_paid_hours, attributed.placed_to_shipped_hours,
        attributed.shipped_to_delivered_hours, attributed.placed_to_delivered_hours,
        attributed.is_paid, attributed.is_shipped, attributed.is_delivered, attributed.is_cancelled, attributed.is_returned
    from attributed
),

known_rows as (
    select
        stored.order_id, stored.order_ts, stored.order_date, stored.customer_id, stored.customer_sk,
        stored.order_status, stored.revenue_state, stored.payment_method, stored.payment_channel,
        stored.segment, stored.city, stored.state, stored.country,
        stored.item_count, stored.unit_count, stored.net_revenue, stored.recognized_revenue,
        stored.payment_count, stored.paid_amount, stored.first_paid_at, stored.first_shipped_at,
        stored.delivered_at, stored.placed_to_paid_hours, stored.placed_to_shipped_hours,
        stored.shipped_to_delivered_hours, stored.placed_to_delivered_hours,
        stored.is_paid, stored.is_shipped, stored.is_delivered, stored.is_cancelled, stored.is_returned
    from known.orders as stored
    inner join staging.affected_orders as affected
        on affected.order_id = stored.order_id
    where stored.known_to is null
),

closed as (
    select * from known_rows
    except
    select * from now_rows
),

opened as (
    select * from now_rows
    except
    select * from known_rows
)

select cast('closed' as varchar(8)) as side, closed.* from closed
union all
select 'opened', opened.* from opened;

update known.orders
set known_to = cast(:load_seq as bigint)
from tmp_known_orders_diff as closed
where closed.side = 'closed'
    and known.orders.order_id = closed.order_id
    and known.orders.known_to is null;

insert into known.orders (
    order_id, order_ts, order_date, customer_id, customer_sk, order_status, revenue_state, payment_method,
    payment_channel, segment, city, state, country, item_count, unit_count, net_revenue,
    recognized_revenue, payment_count, paid_amount, first_paid_at, first_shipped_at, delivered_at,
    placed_to_paid_hours, placed_to_shipped_hours, shipped_to_delivered_hours, placed_to_delivered_hours,
    is_paid, is_shipped, is_delivered, is_cancelled, is_returned, known_from, known_to
)
select
    opened.order_id, opened.order_ts, opened.order_date, opened.customer_id, opened.customer_sk, opened.order_status,
    opened.revenue_state, opened.payment_method, opened.payment_channel, opened.segment,
    opened.city, opened.state, opened.country, opened.item_count, opened.unit_count, opened.net_revenue,
    opened.recognized_revenue, opened.payment_count, opened.paid_amount, opened.first_paid_at,
    opened.first_shipped_at, opened.delivered_at, opened.placed_to_paid_hours, opened.placed_to_shipped_hours,
    opened.shipped_to_delivered_hours, opened.placed_to_delivered_hours,
    opened.is_paid, opened.is_shipped, opened.is_delivered, opened.is_cancelled, opened.is_returned,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_orders_diff as opened
where opened.side = 'opened';

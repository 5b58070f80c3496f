-- known.orders: the affected orders as dw.fact_order_fulfillment now holds them,
-- with the customer's attributes valid at purchase, their items' margin and the
-- revenue definition of known.order_items (cancelled and returned orders earn
-- none); the milestones too, so it changes at every step of the order's life:
-- it is kept narrow (the status in between and the shipment status stay in dw).
-- Changed versions closed, new ones opened. Parameters: :load_seq.
drop table if exists tmp_known_orders_diff;

create temp table tmp_known_orders_diff as
with order_facts as (
    select facts.*
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = facts.order_id
),

item_margins as (
    -- the margin of the order's items (purchase-time cost; NULL when no cost is known)
    select items.order_id, sum(items.margin) as margin
    from dw.fact_order_items as items
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = items.order_id
    group by items.order_id
),

now_rows as (
    select
        order_facts.order_id,
        order_facts.order_ts,
        cast(order_facts.order_ts as date) as order_date,
        customers.customer_id,
        case
            when order_facts.is_cancelled then 'cancelled'
            when order_facts.is_returned then 'returned'
            else 'booked'
        end as revenue_state,
        customers.segment,
        customers.state,
        customers.city,
        customers.country,
        order_facts.item_count,
        order_facts.unit_count,
        order_facts.net_revenue,
        case when order_facts.is_cancelled or order_facts.is_returned then cast(0 as decimal(38,4)) else order_facts.net_revenue end as recognized_revenue,
        case when order_facts.is_cancelled or order_facts.is_returned then cast(0 as decimal(38,4)) else item_margins.margin end as recognized_margin,
        order_facts.first_paid_at,
        order_facts.first_shipped_at,
        order_facts.delivered_at
    from order_facts
    inner join dw.dim_customers as customers
        on customers.customer_sk = order_facts.customer_sk
    left join item_margins
        on item_margins.order_id = order_facts.order_id
),

known_rows as (
    select
        stored.order_id,
        stored.order_ts,
        stored.order_date,
        stored.customer_id,
        stored.revenue_state,
        stored.segment,
        stored.state,
        stored.city,
        stored.country,
        stored.item_count,
        stored.unit_count,
        stored.net_revenue,
        stored.recognized_revenue,
        stored.recognized_margin,
        stored.first_paid_at,
        stored.first_shipped_at,
        stored.delivered_at
    from known.orders as stored
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = stored.order_id
    where stored.known_to is null
)

-- the changed versions, computed once: closed (known as current, no longer what
-- dw holds) and opened (what dw holds, not yet known as current); joined on the
-- key and compared column by column (derived columns follow the ones compared)
select cast('closed' as varchar(8)) as side, known_rows.*
from known_rows
left join now_rows
    on now_rows.order_id = known_rows.order_id
where now_rows.order_id is null
    or known_rows.order_ts <> now_rows.order_ts
    or known_rows.customer_id <> now_rows.customer_id
    or known_rows.revenue_state <> now_rows.revenue_state
    or not {{ same(known_rows.segment, now_rows.segment) }}
    or not {{ same(known_rows.state, now_rows.state) }}
    or not {{ same(known_rows.city, now_rows.city) }}
    or not {{ same(known_rows.country, now_rows.country) }}
    or known_rows.item_count <> now_rows.item_count
    or known_rows.unit_count <> now_rows.unit_count
    or known_rows.net_revenue <> now_rows.net_revenue
    or not {{ same(known_rows.recognized_margin, now_rows.recognized_margin) }}
    or not {{ same(known_rows.first_paid_at, now_rows.first_paid_at) }}
    or not {{ same(known_rows.first_shipped_at, now_rows.first_shipped_at) }}
    or not {{ same(known_rows.delivered_at, now_rows.delivered_at) }}
union all
select 'opened', now_rows.*
from now_rows
left join known_rows
    on known_rows.order_id = now_rows.order_id
where known_rows.order_id is null
    or now_rows.order_ts <> known_rows.order_ts
    or now_rows.customer_id <> known_rows.customer_id
    or now_rows.revenue_state <> known_rows.revenue_state
    or not {{ same(now_rows.segment, known_rows.segment) }}
    or not {{ same(now_rows.state, known_rows.state) }}
    or not {{ same(now_rows.city, known_rows.city) }}
    or not {{ same(now_rows.country, known_rows.country) }}
    or now_rows.item_count <> known_rows.item_count
    or now_rows.unit_count <> known_rows.unit_count
    or now_rows.net_revenue <> known_rows.net_revenue
    or not {{ same(now_rows.recognized_margin, known_rows.recognized_margin) }}
    or not {{ same(now_rows.first_paid_at, known_rows.first_paid_at) }}
    or not {{ same(now_rows.first_shipped_at, known_rows.first_shipped_at) }}
    or not {{ same(now_rows.delivered_at, known_rows.delivered_at) }};

update known.orders
set known_to = cast(:load_seq as bigint)
from tmp_known_orders_diff as closed
where closed.side = 'closed'
    and known.orders.order_id = closed.order_id
    and known.orders.known_to is null;

insert into known.orders (
    order_id, order_ts, order_date, customer_id, revenue_state, segment,
    state, city, country, item_count, unit_count, net_revenue,
    recognized_revenue, recognized_margin, first_paid_at, first_shipped_at, delivered_at,
    known_from, known_to
)
select
    opened.order_id, opened.order_ts, opened.order_date, opened.customer_id, opened.revenue_state, opened.segment,
    opened.state, opened.city, opened.country, opened.item_count, opened.unit_count, opened.net_revenue,
    opened.recognized_revenue, opened.recognized_margin, opened.first_paid_at, opened.first_shipped_at, opened.delivered_at,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_orders_diff as opened
where opened.side = 'opened';

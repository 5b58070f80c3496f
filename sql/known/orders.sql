-- known.orders: the affected orders as dw.fact_order_fulfillment now holds them,
-- with the customer's attributes valid at purchase, their items' margin and the
-- revenue definition of known.order_items (cancelled and returned orders earn
-- none); the milestones too, so it changes at every step of the order's life:
-- it is kept narrow (the status in between and the shipment status stay in dw).
-- Changed versions closed, new ones opened. Parameters: :load_seq, :batch_id.
drop table if exists tmp_known_orders_diff;

create temp table tmp_known_orders_diff as
with item_margins as (
    -- the margin of the order's items (purchase-time cost; NULL when no cost is known)
    select items.order_id, sum(items.margin) as margin
    from dw.fact_order_items as items
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = items.order_id
    group by items.order_id
),

order_facts as (
    -- the margins joined here, to the order's few columns, rather than to the
    -- attributed row below: a smaller hash join in the plan (no difference measured
    -- in whole runs, docs/benchmarks.md)
    select
        facts.order_id, facts.order_ts, facts.customer_sk, facts.is_cancelled, facts.is_returned,
        facts.item_count, facts.unit_count, facts.net_revenue,
        facts.first_paid_at, facts.first_shipped_at, facts.delivered_at,
        item_margins.margin
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected
        on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    left join item_margins
        on item_margins.order_id = facts.order_id
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
        case when order_facts.is_cancelled or order_facts.is_returned then cast(0 as decimal(38,4)) else order_facts.margin end as recognized_margin,
        order_facts.first_paid_at,
        order_facts.first_shipped_at,
        order_facts.delivered_at
    from order_facts
    inner join dw.dim_customers as customers
        on customers.customer_sk = order_facts.customer_sk
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
),

paired as (
    -- each affected order's known and current version side by side, in one join
    -- on the key (either side missing when the order appeared or went)
    select
        known_rows.order_id as known_order_id,
        known_rows.order_ts as known_order_ts,
        known_rows.order_date as known_order_date,
        known_rows.customer_id as known_customer_id,
        known_rows.revenue_state as known_revenue_state,
        known_rows.segment as known_segment,
        known_rows.state as known_state,
        known_rows.city as known_city,
        known_rows.country as known_country,
        known_rows.item_count as known_item_count,
        known_rows.unit_count as known_unit_count,
        known_rows.net_revenue as known_net_revenue,
        known_rows.recognized_revenue as known_recognized_revenue,
        known_rows.recognized_margin as known_recognized_margin,
        known_rows.first_paid_at as known_first_paid_at,
        known_rows.first_shipped_at as known_first_shipped_at,
        known_rows.delivered_at as known_delivered_at,
        now_rows.order_id as now_order_id,
        now_rows.order_ts as now_order_ts,
        now_rows.order_date as now_order_date,
        now_rows.customer_id as now_customer_id,
        now_rows.revenue_state as now_revenue_state,
        now_rows.segment as now_segment,
        now_rows.state as now_state,
        now_rows.city as now_city,
        now_rows.country as now_country,
        now_rows.item_count as now_item_count,
        now_rows.unit_count as now_unit_count,
        now_rows.net_revenue as now_net_revenue,
        now_rows.recognized_revenue as now_recognized_revenue,
        now_rows.recognized_margin as now_recognized_margin,
        now_rows.first_paid_at as now_first_paid_at,
        now_rows.first_shipped_at as now_first_shipped_at,
        now_rows.delivered_at as now_delivered_at,
        -- the order-level inputs of its items' and payments' values (read below and
        -- by tmp_known_item_scope, which says what moves)
        known_rows.order_id is null
            or now_rows.order_id is null
            or known_rows.order_ts <> now_rows.order_ts
            or known_rows.customer_id <> now_rows.customer_id
            or known_rows.revenue_state <> now_rows.revenue_state as item_inputs_moved
    from known_rows
    full outer join now_rows
        on now_rows.order_id = known_rows.order_id
),

changed as (
    -- the orders whose version differs: a known version no longer what dw holds
    -- is closed, one dw holds not yet known as current is opened (compared column
    -- by column; derived columns follow)
    select paired.*
    from paired
    where paired.item_inputs_moved
        or not {{ same(paired.known_segment, paired.now_segment) }}
        or not {{ same(paired.known_state, paired.now_state) }}
        or not {{ same(paired.known_city, paired.now_city) }}
        or not {{ same(paired.known_country, paired.now_country) }}
        or paired.known_item_count <> paired.now_item_count
        or paired.known_unit_count <> paired.now_unit_count
        or paired.known_net_revenue <> paired.now_net_revenue
        or not {{ same(paired.known_recognized_margin, paired.now_recognized_margin) }}
        or not {{ same(paired.known_first_paid_at, paired.now_first_paid_at) }}
        or not {{ same(paired.known_first_shipped_at, paired.now_first_shipped_at) }}
        or not {{ same(paired.known_delivered_at, paired.now_delivered_at) }}
)

select
    cast('closed' as varchar(8)) as side,
    changed.known_order_id as order_id,
    changed.known_order_ts as order_ts,
    changed.known_order_date as order_date,
    changed.known_customer_id as customer_id,
    changed.known_revenue_state as revenue_state,
    changed.known_segment as segment,
    changed.known_state as state,
    changed.known_city as city,
    changed.known_country as country,
    changed.known_item_count as item_count,
    changed.known_unit_count as unit_count,
    changed.known_net_revenue as net_revenue,
    changed.known_recognized_revenue as recognized_revenue,
    changed.known_recognized_margin as recognized_margin,
    changed.known_first_paid_at as first_paid_at,
    changed.known_first_shipped_at as first_shipped_at,
    changed.known_delivered_at as delivered_at,
    changed.item_inputs_moved
from changed
where changed.known_order_id is not null
union all
select
    'opened',
    changed.now_order_id,
    changed.now_order_ts,
    changed.now_order_date,
    changed.now_customer_id,
    changed.now_revenue_state,
    changed.now_segment,
    changed.now_state,
    changed.now_city,
    changed.now_country,
    changed.now_item_count,
    changed.now_unit_count,
    changed.now_net_revenue,
    changed.now_recognized_revenue,
    changed.now_recognized_margin,
    changed.now_first_paid_at,
    changed.now_first_shipped_at,
    changed.now_delivered_at,
    changed.item_inputs_moved
from changed
where changed.now_order_id is not null;

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

-- The orders whose items and payments known/order_items.sql and known/payments.sql
-- re-derive: those the batch touched beyond their order row and shipments
-- (history.batch_item_orders: items, payments, dimension history, withdrawn
-- records), and those whose version above appeared, went, or moved its date,
-- customer or revenue state, the order-level inputs of an item's and a payment's
-- reported values. The rest, most of a day's changes (a status step, a shipment),
-- leave them as they were.
{{ create_temp_table(tmp_known_item_scope) }} as
select item_orders.order_id
from history.batch_item_orders as item_orders
where item_orders.batch_id = :batch_id
union
select diff.order_id from tmp_known_orders_diff as diff where diff.item_inputs_moved;

-- known.order_items: the items of the orders whose items may have moved, as
-- dw.fact_order_items now holds them, with the attributes valid at purchase and the
-- revenue definition applied (written here, and per order in known/orders.sql: an
-- item earns its net revenue unless its order is cancelled or returned; margin is
-- then net revenue minus the purchase-time cost). Changed versions are closed, new
-- ones opened. Which orders: tmp_known_item_scope (known/orders.sql, which runs
-- first): a status or shipment update alone, most of a day's changes, leaves every
-- value reported per item as it was. Parameters: :load_seq.
drop table if exists tmp_known_items_diff;

create temp table tmp_known_items_diff as
with item_facts as (
    select facts.*
    from dw.fact_order_items as facts
    inner join tmp_known_item_scope as item_scope
        on item_scope.order_id = facts.order_id
),

attributed as (
    select
        item_facts.order_id,
        item_facts.line_number,
        cast(item_facts.order_ts as date) as order_date,
        customers.customer_id,
        customers.is_inferred as is_customer_inferred,
        products.product_id,
        products.is_inferred as is_product_inferred,
        payment_methods.payment_method_code as payment_method,
        payment_methods.payment_channel,
        case
            when item_facts.order_status = 'cancelled' then 'cancelled'
            when item_facts.order_status = 'returned' then 'returned'
            else 'booked'
        end as revenue_state,
        products.category,
        customers.segment,
        customers.city,
        customers.state,
        customers.country,
        item_facts.quantity,
        item_facts.net_revenue,
        item_facts.margin
    from item_facts
    inner join dw.dim_customers as customers
        on customers.customer_sk = item_facts.customer_sk
    inner join dw.dim_products as products
        on products.product_sk = item_facts.product_sk
    inner join dw.dim_payment_methods as payment_methods
        on payment_methods.payment_method_key = item_facts.payment_method_key
),

now_rows as (
    select
        attributed.order_id, attributed.line_number, attributed.order_date, attributed.customer_id,
        attributed.is_customer_inferred, attributed.product_id, attributed.is_product_inferred,
        attributed.payment_method, attributed.payment_channel, attributed.revenue_state,
        attributed.category, attributed.segment, attributed.city, attributed.state, attributed.country,
        attributed.quantity, attributed.net_revenue,
        case when attributed.revenue_state = 'booked' then attributed.net_revenue else cast(0 as decimal(18,4)) end as recognized_revenue,
        -- NULL while the product's cost is unknown
        case when attributed.revenue_state = 'booked' then attributed.margin else cast(0 as decimal(18,4)) end as recognized_margin
    from attributed
),

known_rows as (
    select
        stored.order_id,
        stored.line_number,
        stored.order_date,
        stored.customer_id,
        stored.is_customer_inferred,
        stored.product_id,
        stored.is_product_inferred,
        stored.payment_method,
        stored.payment_channel,
        stored.revenue_state,
        stored.category,
        stored.segment,
        stored.city,
        stored.state,
        stored.country,
        stored.quantity,
        stored.net_revenue,
        stored.recognized_revenue,
        stored.recognized_margin
    from known.order_items as stored
    inner join tmp_known_item_scope as item_scope
        on item_scope.order_id = stored.order_id
    where stored.known_to is null
)

-- the changed versions, computed once: closed (known as current, no longer what
-- dw holds) and opened (what dw holds, not yet known as current); joined on the
-- key and compared column by column (derived columns follow the ones compared)
select cast('closed' as varchar(8)) as side, known_rows.*
from known_rows
left join now_rows
    on now_rows.order_id = known_rows.order_id
    and now_rows.line_number = known_rows.line_number
where now_rows.order_id is null
    or known_rows.order_date <> now_rows.order_date
    or known_rows.customer_id <> now_rows.customer_id
    or known_rows.is_customer_inferred <> now_rows.is_customer_inferred
    or known_rows.product_id <> now_rows.product_id
    or known_rows.is_product_inferred <> now_rows.is_product_inferred
    or known_rows.payment_method <> now_rows.payment_method
    or known_rows.payment_channel <> now_rows.payment_channel
    or known_rows.revenue_state <> now_rows.revenue_state
    or not {{ same(known_rows.category, now_rows.category) }}
    or not {{ same(known_rows.segment, now_rows.segment) }}
    or not {{ same(known_rows.city, now_rows.city) }}
    or not {{ same(known_rows.state, now_rows.state) }}
    or not {{ same(known_rows.country, now_rows.country) }}
    or known_rows.quantity <> now_rows.quantity
    or known_rows.net_revenue <> now_rows.net_revenue
    or not {{ same(known_rows.recognized_margin, now_rows.recognized_margin) }}
union all
select 'opened', now_rows.*
from now_rows
left join known_rows
    on known_rows.order_id = now_rows.order_id
    and known_rows.line_number = now_rows.line_number
where known_rows.order_id is null
    or now_rows.order_date <> known_rows.order_date
    or now_rows.customer_id <> known_rows.customer_id
    or now_rows.is_customer_inferred <> known_rows.is_customer_inferred
    or now_rows.product_id <> known_rows.product_id
    or now_rows.is_product_inferred <> known_rows.is_product_inferred
    or now_rows.payment_method <> known_rows.payment_method
    or now_rows.payment_channel <> known_rows.payment_channel
    or now_rows.revenue_state <> known_rows.revenue_state
    or not {{ same(now_rows.category, known_rows.category) }}
    or not {{ same(now_rows.segment, known_rows.segment) }}
    or not {{ same(now_rows.city, known_rows.city) }}
    or not {{ same(now_rows.state, known_rows.state) }}
    or not {{ same(now_rows.country, known_rows.country) }}
    or now_rows.quantity <> known_rows.quantity
    or now_rows.net_revenue <> known_rows.net_revenue
    or not {{ same(now_rows.recognized_margin, known_rows.recognized_margin) }};

update known.order_items
set known_to = cast(:load_seq as bigint)
from tmp_known_items_diff as closed
where closed.side = 'closed'
    and known.order_items.order_id = closed.order_id
    and known.order_items.line_number = closed.line_number
    and known.order_items.known_to is null;

insert into known.order_items (
    order_id, line_number, order_date, customer_id, is_customer_inferred, product_id,
    is_product_inferred, payment_method, payment_channel, revenue_state, category, segment,
    city, state, country, quantity, net_revenue, recognized_revenue,
    recognized_margin,
    known_from, known_to
)
select
    opened.order_id, opened.line_number, opened.order_date, opened.customer_id, opened.is_customer_inferred, opened.product_id,
    opened.is_product_inferred, opened.payment_method, opened.payment_channel, opened.revenue_state, opened.category, opened.segment,
    opened.city, opened.state, opened.country, opened.quantity, opened.net_revenue, opened.recognized_revenue,
    opened.recognized_margin,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_items_diff as opened
where opened.side = 'opened';

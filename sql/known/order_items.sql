-- known.order_items: the affected orders' items as dw.fact_order_items now holds
-- them, with the attributes valid at purchase and the revenue definition applied
-- (written here, and per order in known/orders.sql: an item earns revenue unless
-- its order is cancelled or returned). Changed versions are closed, new ones opened.
-- Parameters: :load_seq.
-- The changed versions, computed once: closed (known as current, no longer
-- what dw holds) and opened (what dw holds, not yet known as current).
drop table if exists tmp_known_items_diff;

create temp table tmp_known_items_diff as
with item_facts as (
    select facts.*
    from dw.fact_order_items as facts
    inner join staging.affected_orders as affected
        on affected.order_id = facts.order_id
),

attributed as (
    select
        item_facts.order_id,
        item_facts.line_number,
        item_facts.order_ts,
        cast(item_facts.order_ts as date) as order_date,
        customers.customer_id,
        item_facts.customer_sk,
        customers.is_inferred as is_customer_inferred,
        products.product_id,
        item_facts.product_sk,
        products.is_inferred as is_product_inferred,
        payment_methods.payment_method_code as payment_method,
        payment_methods.payment_channel,
        case
            when item_facts.order_status = 'cancelled' then 'cancelled'
            when item_facts.order_status = 'returned' then 'returned'
            else 'booked'
        end as revenue_state,
        products.category,
        products.brand,
        customers.segment,
        customers.city,
        customers.state,
        customers.country,
        item_facts.quantity,
        item_facts.gross_revenue,
        item_facts.discount_amount,
        item_facts.net_revenue,
        item_facts.shipping_amount,
        item_facts.unit_cost,
        item_facts.cost_amount,
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
        attributed.*,
        case when attributed.revenue_state = 'booked' then attributed.net_revenue else cast(0 as decimal(18,4)) end as recognized_revenue,
        case when attributed.revenue_state = 'booked' then attributed.cost_amount else cast(0 as decimal(18,4)) end as recognized_cost,
        case when attributed.revenue_state = 'booked' then attributed.margin else cast(0 as decimal(18,4)) end as recognized_margin
    from attributed
),

known_rows as (
    select
        stored.order_id, stored.line_number, stored.order_ts, stored.order_date,
        stored.customer_id, stored.customer_sk, stored.is_customer_inferred,
        stored.product_id, stored.product_sk, stored.is_product_inferred,
        stored.payment_method, stored.payment_channel, stored.revenue_state,
        stored.category, stored.brand, stored.segment, stored.city, stored.state, stored.country,
        stored.quantity, stored.gross_revenue, stored.discount_amount, stored.net_revenue,
        stored.shipping_amount, stored.unit_cost, stored.cost_amount, stored.margin,
        stored.recognized_revenue, stored.recognized_cost, stored.recognized_margin
    from known.order_items as stored
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

update known.order_items
set known_to = cast(:load_seq as bigint)
from tmp_known_items_diff as closed
where closed.side = 'closed'
    and known.order_items.order_id = closed.order_id
    and known.order_items.line_number = closed.line_number
    and known.order_items.known_to is null;

insert into known.order_items (
    order_id, line_number, order_ts, order_date, customer_id, customer_sk, is_customer_inferred,
    product_id, product_sk, is_product_inferred, payment_method, payment_channel, revenue_state,
    category, brand, segment, city, state, country,
    quantity, gross_revenue, discount_amount, net_revenue, shipping_amount, unit_cost, cost_amount, margin,
    recognized_revenue, recognized_cost, recognized_margin, known_from, known_to
)
select
    opened.order_id, opened.line_number, opened.order_ts, opened.order_date, opened.customer_id, opened.customer_sk,
    opened.is_customer_inferred, opened.product_id, opened.product_sk, opened.is_product_inferred,
    opened.payment_method, opened.payment_channel, opened.revenue_state,
    opened.category, opened.brand, opened.segment, opened.city, opened.state, opened.country,
    opened.quantity, opened.gross_revenue, opened.discount_amount, opened.net_revenue, opened.shipping_amount,
    opened.unit_cost, opened.cost_amount, opened.margin,
    opened.recognized_revenue, opened.recognized_cost, opened.recognized_margin,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_items_diff as opened
where opened.side = 'opened';

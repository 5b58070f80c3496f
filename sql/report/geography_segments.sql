-- Report section geography_segments: orders, customers, revenue and margin per
-- customer segment, state and city, chosen by :attribution: the customer's
-- version at purchase (carried by the order), now, or at a date, as known at
-- load :known_seq. Read from the orders (one row each), not their items.
-- Parameters: :known_seq, :from_date, :to_date, :attribution, :attributed_at.
with orders as (
    select known_rows.*
    from known.orders as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.item_count > 0
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
),

customers_then as (
    select known_rows.customer_id, known_rows.segment, known_rows.state, known_rows.city
    from known.customers as known_rows
    where :attribution <> 'purchase'
        and {{ known_at(known_rows) }}
        and known_rows.valid_from <= cast(:attributed_at as timestamp)
        and cast(:attributed_at as timestamp) < known_rows.valid_to
),

attributed as (
    select
        orders.customer_id,
        coalesce(case when :attribution = 'purchase' then orders.segment else customers_then.segment end, '(none)') as segment,
        coalesce(case when :attribution = 'purchase' then orders.state else customers_then.state end, '(none)') as state,
        coalesce(case when :attribution = 'purchase' then orders.city else customers_then.city end, '(none)') as city,
        orders.recognized_revenue,
        orders.recognized_margin
    from orders
    left join customers_then
        on customers_then.customer_id = orders.customer_id
),

per_customer as (
    -- one row per customer and place: the slices below read a customer's orders once
    select
        attributed.customer_id,
        attributed.segment,
        attributed.state,
        attributed.city,
        count(*) as orders,
        sum(attributed.recognized_revenue) as revenue,
        sum(attributed.recognized_margin) as margin
    from attributed
    group by attributed.customer_id, attributed.segment, attributed.state, attributed.city
),

sliced as (
    select cast('segment' as varchar(16)) as dimension, per_customer.segment as slice_value, per_customer.* from per_customer
    union all
    select 'state', per_customer.state, per_customer.* from per_customer
    union all
    select 'city', per_customer.city, per_customer.* from per_customer
)

select
    sliced.dimension,
    sliced.slice_value,
    count(distinct sliced.customer_id) as customers,
    sum(sliced.orders) as orders,
    sum(sliced.revenue) as revenue,
    sum(sliced.margin) as margin
from sliced
group by sliced.dimension, sliced.slice_value
order by
    case sliced.dimension when 'segment' then 1 when 'state' then 2 else 3 end,
    sum(sliced.revenue) desc,
    sliced.slice_value

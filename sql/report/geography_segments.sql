-- Report section geography_segments: revenue and margin per customer segment,
-- state and city, chosen by :attribution like categories.sql (the customer's
-- version at purchase, now, or at a date, as known at load :known_seq).
-- Parameters: :known_seq, :from_date, :to_date, :attribution, :attributed_at.
with items as (
    select known_rows.*
    from known.order_items as known_rows
    where {{ known_at(known_rows) }}
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
        coalesce(case when :attribution = 'purchase' then items.segment else customers_then.segment end, '(none)') as segment,
        coalesce(case when :attribution = 'purchase' then items.state else customers_then.state end, '(none)') as state,
        coalesce(case when :attribution = 'purchase' then items.city else customers_then.city end, '(none)') as city,
        items.*
    from items
    left join customers_then
        on customers_then.customer_id = items.customer_id
),

per_order as (
    -- one row per order: its items share the customer, so an order counts once per slice
    select
        attributed.order_id,
        attributed.customer_id,
        attributed.segment,
        attributed.state,
        attributed.city,
        sum(attributed.recognized_revenue) as revenue,
        sum(attributed.recognized_margin) as margin
    from attributed
    group by attributed.order_id, attributed.customer_id, attributed.segment, attributed.state, attributed.city
),

sliced as (
    select cast('segment' as varchar(16)) as dimension, per_order.segment as slice_value, per_order.* from per_order
    union all
    select 'state', per_order.state, per_order.* from per_order
    union all
    select 'city', per_order.city, per_order.* from per_order
)

select
    sliced.dimension,
    sliced.slice_value,
    count(distinct sliced.customer_id) as customers,
    count(*) as orders,
    sum(sliced.revenue) as revenue,
    sum(sliced.margin) as margin
from sliced
group by sliced.dimension, sliced.slice_value
order by
    case sliced.dimension when 'segment' then 1 when 'state' then 2 else 3 end,
    sum(sliced.revenue) desc,
    sliced.slice_value

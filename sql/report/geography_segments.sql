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

cells as (
    select
        attributed.segment,
        attributed.state,
        attributed.city,
        attributed.customer_id,
        attributed.order_id,
        attributed.recognized_revenue,
        attributed.recognized_margin
    from attributed
),

sliced as (
    select cast('segment' as varchar(16)) as dimension, cells.segment as slice_value, cells.* from cells
    union all
    select 'state', cells.state, cells.* from cells
    union all
    select 'city', cells.city, cells.* from cells
)

select
    sliced.dimension,
    sliced.slice_value,
    count(distinct sliced.customer_id) as customers,
    count(distinct sliced.order_id) as orders,
    sum(sliced.recognized_revenue) as revenue,
    sum(sliced.recognized_margin) as margin
from sliced
group by sliced.dimension, sliced.slice_value
order by
    case sliced.dimension when 'segment' then 1 when 'state' then 2 else 3 end,
    sum(sliced.recognized_revenue) desc,
    sliced.slice_value

-- mart.revenue_daily: revenue and margin per order date x payment channel x
-- product category x customer segment x country x state x city, all at purchase.
-- Grain: one row per combination that has items. Revenue definition:
-- net_revenue is booked revenue of every live item; cancelled_revenue and
-- returned_revenue are the part of it whose order was cancelled or returned;
-- revenue = net_revenue - cancelled_revenue - returned_revenue (recognized).
-- cost and margin cover recognized items with a known cost; revenue_without_cost
-- is the recognized revenue of items whose cost is unknown. orders counts
-- distinct orders in the row (not additive across rows).
create or replace view mart.revenue_daily as
with items as (
    select known_rows.*
    from known.order_items as known_rows
    where known_rows.known_to is null
)

select
    items.order_date,
    items.payment_channel,
    coalesce(items.category, '(none)') as category,
    coalesce(items.segment, '(none)') as segment,
    coalesce(items.country, '(none)') as country,
    coalesce(items.state, '(none)') as state,
    coalesce(items.city, '(none)') as city,
    count(distinct items.order_id) as orders,
    count(*) as items,
    sum(items.quantity) as units,
    sum(items.net_revenue) as net_revenue,
    sum(case when items.revenue_state = 'cancelled' then items.net_revenue else 0 end) as cancelled_revenue,
    sum(case when items.revenue_state = 'returned' then items.net_revenue else 0 end) as returned_revenue,
    sum(items.recognized_revenue) as revenue,
    sum(items.recognized_revenue - items.recognized_margin) as cost,
    sum(items.recognized_margin) as margin,
    sum(case when items.recognized_margin is null then items.recognized_revenue else 0 end) as revenue_without_cost
from items
group by
    items.order_date,
    items.payment_channel,
    coalesce(items.category, '(none)'),
    coalesce(items.segment, '(none)'),
    coalesce(items.country, '(none)'),
    coalesce(items.state, '(none)'),
    coalesce(items.city, '(none)');

-- Report section basket: baskets (orders with items, neither cancelled nor
-- returned, as known at load :known_seq) by the number of items (lines) in
-- them, 5 and more together, and all of them; with units and recognized
-- revenue (the report divides: exact averages). Parameters: :known_seq, :from_date, :to_date.
with baskets as (
    select
        case when known_rows.item_count >= 5 then 5 else known_rows.item_count end as size_order,
        known_rows.item_count,
        known_rows.unit_count,
        known_rows.recognized_revenue
    from known.orders as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.revenue_state = 'booked'
        and known_rows.item_count > 0
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
)

select
    baskets.size_order,
    count(*) as orders,
    sum(baskets.item_count) as items,
    sum(baskets.unit_count) as units,
    sum(baskets.recognized_revenue) as revenue
from baskets
group by baskets.size_order
union all
select
    99 as size_order,
    count(*),
    sum(baskets.item_count),
    sum(baskets.unit_count),
    sum(baskets.recognized_revenue)
from baskets
order by 1

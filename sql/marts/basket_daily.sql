-- mart.basket_daily: items and value per order, per order date. Grain: one row
-- per order date. Baskets are the orders with at least one live item that are
-- neither cancelled nor returned (recognized orders); order value is their
-- recognized revenue.
create or replace view mart.basket_daily as
with baskets as (
    select known_rows.*
    from known.orders as known_rows
    where known_rows.known_to is null
        and known_rows.revenue_state = 'booked'
        and known_rows.item_count > 0
)

select
    baskets.order_date,
    count(*) as orders,
    sum(baskets.item_count) as items,
    sum(baskets.unit_count) as units,
    sum(baskets.recognized_revenue) as revenue,
    sum(baskets.item_count) * 1.0 / count(*) as items_per_order,
    sum(baskets.unit_count) * 1.0 / count(*) as units_per_order,
    sum(baskets.recognized_revenue) / count(*) as average_order_value
from baskets
group by baskets.order_date;

-- mart.product_profitability: per product (natural key) and order month, the
-- recognized revenue, its cost at purchase time (the product version valid at
-- order_ts) and the margin; beside them the same units valued at today's cost
-- (margin_at_current_cost: recognized revenue minus recognized units at today's
-- unit cost), and the product's current name, category and brand.
-- Grain: one row per product and month with live items. Revenue as in
-- mart.revenue_daily; cost and margin cover items with a known cost.
create or replace view mart.product_profitability as
with items as (
    select known_rows.*
    from known.order_items as known_rows
    where known_rows.known_to is null
),

products_now as (
    select known_rows.*
    from known.products as known_rows
    where known_rows.known_to is null
        and known_rows.valid_to = {{ high_sentinel }}
),

monthly as (
    select
        items.product_id,
        cast(date_trunc('month', items.order_date) as date) as order_month,
        sum(items.quantity) as units,
        sum(case when items.revenue_state = 'booked' then items.quantity else 0 end) as recognized_units,
        sum(items.net_revenue) as net_revenue,
        sum(items.recognized_revenue) as revenue,
        sum(items.recognized_revenue - items.recognized_margin) as cost,
        sum(items.recognized_margin) as margin,
        sum(case when items.recognized_margin is null then items.recognized_revenue else 0 end) as revenue_without_cost
    from items
    group by items.product_id, cast(date_trunc('month', items.order_date) as date)
)

select
    monthly.product_id,
    monthly.order_month,
    products_now.name as name_now,
    products_now.category as category_now,
    products_now.brand as brand_now,
    monthly.units,
    monthly.recognized_units,
    monthly.net_revenue,
    monthly.revenue,
    monthly.cost,
    monthly.margin,
    monthly.revenue_without_cost,
    products_now.unit_cost as unit_cost_now,
    monthly.recognized_units * products_now.unit_cost as cost_at_current_cost,
    monthly.revenue - monthly.recognized_units * products_now.unit_cost as margin_at_current_cost
from monthly
left join products_now
    on products_now.product_id = monthly.product_id;

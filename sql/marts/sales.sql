-- mart.sales: one row per order item (live items only: a deleted item leaves).
-- Attributes at purchase (the version valid at order_ts) beside today's
-- (`*_now`, Kimball type 7 through the natural key). Revenue: net_revenue is
-- booked revenue (quantity x unit_price - discount, any order status);
-- recognized_revenue is the same for orders that are neither cancelled nor
-- returned, and 0 for those (revenue_state says which). recognized_cost and
-- recognized_margin (purchase-time cost) follow it; both are NULL while the
-- product's cost is unknown. Prices, discounts and shipping: dw.fact_order_items.
create or replace view mart.sales as
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

customers_now as (
    select known_rows.*
    from known.customers as known_rows
    where known_rows.known_to is null
        and known_rows.valid_to = {{ high_sentinel }}
)

select
    items.order_id,
    items.line_number,
    items.order_date,
    cast(date_trunc('month', items.order_date) as date) as order_month,
    items.customer_id,
    items.product_id,
    items.payment_method,
    items.payment_channel,
    items.revenue_state,
    items.category,
    products_now.category as category_now,
    products_now.brand as brand_now,
    items.segment,
    customers_now.segment as segment_now,
    items.city,
    customers_now.city as city_now,
    items.state,
    customers_now.state as state_now,
    items.country,
    customers_now.country as country_now,
    items.quantity,
    items.net_revenue,
    items.recognized_revenue,
    items.recognized_revenue - items.recognized_margin as recognized_cost,
    items.recognized_margin
from items
left join products_now
    on products_now.product_id = items.product_id
left join customers_now
    on customers_now.customer_id = items.customer_id;

-- Report section categories: revenue and margin per product category, the
-- category chosen by :attribution ('purchase': the version valid at order_ts,
-- carried by the item; 'current' / 'as-of': the product's version valid at
-- :attributed_at, as known at load :known_seq).
-- Parameters: :known_seq, :from_date, :to_date, :attribution, :attributed_at.
with items as (
    select known_rows.*
    from known.order_items as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.order_date >= cast(:from_date as date)
        and known_rows.order_date <= cast(:to_date as date)
),

products_then as (
    select known_rows.product_id, known_rows.category
    from known.products as known_rows
    where :attribution <> 'purchase'
        and {{ known_at(known_rows) }}
        and known_rows.valid_from <= cast(:attributed_at as timestamp)
        and cast(:attributed_at as timestamp) < known_rows.valid_to
),

attributed as (
    select
        coalesce(case when :attribution = 'purchase' then items.category else products_then.category end, '(none)') as category,
        items.*
    from items
    left join products_then
        on products_then.product_id = items.product_id
)

select
    attributed.category,
    count(*) as items,
    sum(attributed.quantity) as units,
    sum(attributed.net_revenue) as net_revenue,
    sum(attributed.recognized_revenue) as revenue,
    sum(attributed.recognized_revenue - attributed.recognized_margin) as cost,
    sum(attributed.recognized_margin) as margin,
    sum(case when attributed.recognized_margin is null then attributed.recognized_revenue else 0 end) as revenue_without_cost
from attributed
group by attributed.category
order by sum(attributed.recognized_revenue) desc, attributed.category

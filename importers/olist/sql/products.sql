-- lake_products: one row per Olist product (grain: product_id), in the batch
-- of its first sale and dated at it; products never sold go to the first batch.
-- The category is Olist's English translation, or the Portuguese name where
-- the translation file has none.
create or replace table lake_products as
with
products as (
    select * from olist_products
),

translations as (
    select * from olist_category_translation
),

order_items as (
    select * from olist_order_items
),

timeline as (
    select * from olist_order_timeline
),

bounds as (
    select * from olist_batch_bounds
),

first_sales as (
    select
        order_items.product_id,
        min(timeline.purchased_at) as first_sold_at
    from order_items
    inner join timeline
        on timeline.order_id = order_items.order_id
    group by order_items.product_id
),

translated as (
    select
        products.product_id,
        coalesce(translations.product_category_name_english, products.product_category_name) as category
    from products
    left join translations
        on translations.product_category_name = products.product_category_name
),

dated as (
    select
        translated.*,
        coalesce(first_sales.first_sold_at, bounds.first_purchased_at) as known_at
    from translated
    cross join bounds
    left join first_sales
        on first_sales.product_id = translated.product_id
),

contract_rows as (
    select
        batch_of(dated.known_at) as batch_id,
        ---------- ids
        dated.product_id as product_id,
        ---------- timestamps
        iso_ts(dated.known_at) as updated_at,
        ---------- attributes
        dated.category as category
    from dated
)

select * from contract_rows;

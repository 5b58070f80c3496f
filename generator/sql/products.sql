-- The products feed: product_records (one row per change record, typed) and
-- gen_products (one row per row written to a products file: the records plus
-- planted rows, clustered by batch, every column a string); also
-- product_prices (one row per product: the list price items are sold at).
-- Plants: list price and unit cost changes, late changes, conflicts, deletes
-- (discontinued products), duplicates, categories in odd case, invalid rows.

-- log-uniform from 5 to 500, ending in .99
create or replace macro first_list_price(product_num) as
    floor(exp(ln(5) + ln(100) * draw('products.list_price', product_num))) + 0.99;

create or replace temp table product_records as
with
records as (
    select * from dimension_records('products', getvariable('n_products'), 80)
),

-- each later change reprices the product or changes its unit cost
change_counts as (
    select
        records.*,
        (records.version >= 1 and draw('products.is_repricing', records.entity_num, sub := 1) < 0.6)::integer
            + (records.version >= 2 and draw('products.is_repricing', records.entity_num, sub := 2) < 0.6)::integer
            as n_repricings,
        -- a conflicting record draws its prices apart from its twin
        case when records.record_kind = 'conflict' then 100 else 0 end as conflict_offset,
    from records
),

base_prices as (
    select
        change_counts.*,
        first_list_price(change_counts.entity_num) as base_list_price,
        0.4 + 0.3 * draw('products.margin', change_counts.entity_num) as base_cost_share,
    from change_counts
),

attributes as (
    select
        base_prices.*,
        case
            when base_prices.n_repricings + base_prices.conflict_offset = 0 then base_prices.base_list_price
            else round(
                base_prices.base_list_price
                    * (0.85 + 0.3 * draw('products.repricing', base_prices.entity_num, sub := base_prices.n_repricings + base_prices.conflict_offset)),
                2
            )
        end as list_price,
        base_prices.base_list_price * case
            when base_prices.version - base_prices.n_repricings + base_prices.conflict_offset = 0 then base_prices.base_cost_share
            else base_prices.base_cost_share
                * (0.9 + 0.2 * draw('products.cost_change', base_prices.entity_num, sub := base_prices.version - base_prices.n_repricings + base_prices.conflict_offset))
        end as unit_cost,
        pick(
            ['electronics', 'home', 'garden', 'toys', 'apparel', 'beauty', 'sports', 'books', 'grocery', 'pet_supplies'],
            draw('products.category', base_prices.entity_num)
        ) as category,
        pick(
            ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka',
             'Soylent', 'Tyrell', 'Cyberdyne', 'Vandelay'],
            draw('products.brand', base_prices.entity_num)
        ) as brand,
        pick(
            ['Classic', 'Compact', 'Deluxe', 'Eco', 'Pro', 'Smart', 'Ultra', 'Mini', 'Max', 'Essential'],
            draw('products.adjective', base_prices.entity_num)
        ) as adjective,
        pick(
            ['Kit', 'Set', 'Lamp', 'Bottle', 'Speaker', 'Chair', 'Backpack', 'Jacket', 'Blender', 'Puzzle',
             'Notebook', 'Helmet', 'Candle', 'Kettle', 'Charger'],
            draw('products.noun', base_prices.entity_num)
        ) as noun,
    from base_prices
),

typed as (
    select
        attributes.batch_index,
        'main' as file_part,
        attributes.record_key as sort_key,
        attributes.record_key,
        cast(null as varchar) as planted,
        attributes.entity_num as product_num,
        attributes.updated_at,
        attributes.category,
        attributes.brand,
        attributes.brand || ' ' || attributes.adjective || ' ' || attributes.noun as product_name,
        round(attributes.list_price, 2)::decimal(18, 2) as list_price,
        round(attributes.unit_cost, 2)::decimal(18, 2) as unit_cost,
        attributes.is_deleted,
    from attributes
)

select * from typed;

-- the price a product is first sold at (items are priced from it)
create or replace table product_prices as
select
    numbers.n as product_num,
    first_list_price(numbers.n) as list_price,
from numbers
where numbers.n <= getvariable('n_products');

-- gen_products: the rows as the feed writes them (every column a string).
create or replace table gen_products as
with
-- clustered by batch: each file's COPY then reads only its batch's row groups
product_rows as (
    select *
    from planted_rows(
        'product_records',
        ['unparseable_number', 'unparseable_timestamp', 'unparseable_boolean', 'missing_key', 'missing_required_value']
    )
    order by batch_index
)

select
    product_rows.batch_index,
    product_rows.file_part,
    product_rows.sort_key,
    product_rows.planted,
    product_rows.invalid_rule,
    ---------- ids
    case
        when product_rows.invalid_rule = 'missing_key' then null
        else render_id('P', product_rows.product_num, 6)
    end as product_id,
    ---------- timestamps
    case product_rows.invalid_rule
        when 'unparseable_timestamp' then pick(getvariable('bad_timestamps'), draw('products.bad', product_rows.sort_key))
        when 'missing_required_value' then null
        else render_ts(product_rows.updated_at, draw('products.updated_at_style', product_rows.record_key))
    end as updated_at,
    ---------- attributes
    'SKU-' || lpad(product_rows.product_num::varchar, 6, '0') as sku,
    product_rows.product_name as name,
    render_code('category', product_rows.category, draw('products.category_style', product_rows.record_key)) as category,
    product_rows.brand,
    ---------- numerics
    case product_rows.invalid_rule
        when 'unparseable_number' then pick(getvariable('bad_numbers'), draw('products.bad', product_rows.sort_key))
        else render_amount(product_rows.list_price)
    end as list_price,
    render_amount(product_rows.unit_cost) as unit_cost,
    case
        when product_rows.invalid_rule = 'unparseable_boolean'
            then pick(getvariable('bad_booleans'), draw('products.bad', product_rows.sort_key))
        when not product_rows.is_deleted and draw('products.is_deleted_absent', product_rows.record_key) < 0.3 then null
        else render_bool(product_rows.is_deleted, draw('products.is_deleted_style', product_rows.record_key))
    end as is_deleted,
from product_rows;

drop table product_records;

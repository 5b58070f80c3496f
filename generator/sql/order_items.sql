-- The order items feed: item_lines (one row per order line as first sold),
-- order_totals (one row per order: what it cost at checkout), item_records
-- (one row per item record, typed) and gen_order_items (one row per row
-- written to an order_items file: the records plus planted rows, clustered by
-- batch, every column a string).
-- Plants: quantity corrections and deletes (same key, later updated_at),
-- items of orders whose first record arrives later, products not sent yet or
-- never sent, duplicates, invalid rows for every item rule, and a small file
-- in the second batch without the required unit_price column.
create or replace temp table item_lines as
with
lines as (
    select
        order_lifecycles.order_num,
        order_lifecycles.order_ts,
        order_lifecycles.order_day,
        unnest(range(1, order_lifecycles.n_lines + 1)) as line_number,
    from order_lifecycles
),

product_choices as (
    select
        lines.*,
        hash(lines.order_num, lines.line_number) as line_key,
        pre_existing_count(getvariable('n_products'), 80) as n_pre_existing,
    from lines
),

with_products as (
    select
        product_choices.order_num,
        product_choices.line_number,
        product_choices.line_key,
        product_choices.order_ts,
        product_choices.order_day,
        case
            -- never sent: ids past the last product
            when draw('items.product_kind', product_choices.line_key) < 0.001
                then getvariable('n_products') + 1 + floor(3 * draw('items.product', product_choices.line_key))::bigint
            -- launched, but its record arrives in a later batch than the order
            when draw('items.product_kind', product_choices.line_key) < 0.011
                and known_before(getvariable('n_products'), product_choices.n_pre_existing, product_choices.order_day + 1) < getvariable('n_products')
                then known_before(getvariable('n_products'), product_choices.n_pre_existing, product_choices.order_day + 1) + 1
                    + floor(
                        draw('items.product', product_choices.line_key)
                        * (getvariable('n_products') - known_before(getvariable('n_products'), product_choices.n_pre_existing, product_choices.order_day + 1))
                    )::bigint
            -- a product delivered before the order's batch
            else 1 + floor(
                draw('items.product', product_choices.line_key)
                * known_before(getvariable('n_products'), product_choices.n_pre_existing, product_choices.order_day)
            )::bigint
        end as product_num,
    from product_choices
),

priced as (
    select
        with_products.*,
        pick_weighted([1, 2, 3, 4, 5], [0.70, 0.88, 0.96, 0.99], draw('items.quantity', with_products.line_key)) as quantity,
        -- decimals, not doubles: the payments add these up, and sums of doubles depend on thread order
        round(
            coalesce(product_prices.list_price, 9.99)
                * case when draw('items.promotion', with_products.line_key) < 0.1 then 0.9 else 1 end,
            2
        )::decimal(18, 2) as unit_price,
        draw('items.discount', with_products.line_key) as discount_draw,
        case
            when with_products.line_number > 1
                then case when draw('items.shipping', with_products.line_key) < 0.5 then 0.0 end
            else pick_weighted([4.99, 0.0, 9.99], [0.6, 0.9], draw('items.shipping', with_products.line_key))
        end::decimal(18, 2) as shipping_amount,
    from with_products
    left join product_prices
        on product_prices.product_num = with_products.product_num
),

lines_priced as (
    select
        priced.*,
        case
            when priced.discount_draw < 0.12
                then round(priced.quantity * priced.unit_price * (0.05 + 0.25 * draw('items.discount_share', priced.line_key)), 2)
            when priced.discount_draw < 0.4 then null
            else 0.0
        end::decimal(18, 2) as discount_amount,
    from priced
)

select * from lines_priced;

-- what each order cost at checkout (its items as first sent), for the payments
create or replace table order_totals as
select
    item_lines.order_num,
    sum(
        item_lines.quantity * item_lines.unit_price
            - coalesce(item_lines.discount_amount, 0)
            + coalesce(item_lines.shipping_amount, 0)
    ) as total_amount,
from item_lines
group by all;

create or replace temp table item_records as
with
-- the first record, sometimes a quantity correction, sometimes a delete
records as (
    select item_lines.*, 0 as record_num, item_lines.order_ts as updated_at, false as is_deleted,
    from item_lines
    union all
    select
        item_lines.* replace (item_lines.quantity + 1 as quantity),
        1 as record_num,
        item_lines.order_ts + seconds(3600 * (1 + 23 * draw('items.corrected_after', item_lines.line_key))) as updated_at,
        false as is_deleted,
    from item_lines
    where draw('items.corrected', item_lines.line_key) < 0.01
    union all
    select
        item_lines.*,
        2 as record_num,
        item_lines.order_ts + seconds(3600 * (25 + 23 * draw('items.deleted_after', item_lines.line_key))) as updated_at,
        true as is_deleted,
    from item_lines
    where draw('items.deleted', item_lines.line_key) < 0.015
),

-- items are sent with their order's day, whenever the order itself arrives
sent as (
    select
        case when records.record_num = 0 then records.order_day else day_of(records.updated_at) end as batch_index,
        'main' as file_part,
        hash(getvariable('seed'), 'order_items', records.line_key, records.record_num) as sort_key,
        hash(getvariable('seed'), 'order_items', records.line_key, records.record_num) as record_key,
        cast(null as varchar) as planted,
        records.order_num,
        records.line_number,
        records.product_num,
        records.quantity,
        records.unit_price,
        records.updated_at,
        records.discount_amount,
        records.shipping_amount,
        records.is_deleted,
    from records
    where records.updated_at < getvariable('t0') + to_days(getvariable('days')::integer)
)

select * from sent;

drop table item_lines;

-- gen_order_items: the rows as the feed writes them (every column a string).
create or replace table gen_order_items as
with
planted as (
    select *
    from planted_rows(
        'item_records',
        [
            'unparseable_number', 'unparseable_timestamp', 'unparseable_boolean', 'missing_key',
            'missing_required_value', 'negative_quantity', 'zero_quantity', 'negative_unit_price',
            'negative_shipping_amount', 'discount_exceeds_gross'
        ]
    )
),

-- copies of a few clean rows of the second batch, in a file that lacks a required column
missing_column_copies as (
    select
        item_records.* replace ('missing_column' as file_part, 'copy_in_missing_column_file' as planted),
        cast(null as varchar) as invalid_rule,
    from item_records
    where item_records.batch_index = least(1, getvariable('days') - 1)
    order by item_records.sort_key
    limit 5
),

all_rows as (
    select * from planted
    union all
    select * from missing_column_copies
),

-- clustered by batch: each file's COPY then reads only its batch's row groups
item_rows as (
    select * from all_rows
    order by batch_index
)

select
    item_rows.batch_index,
    item_rows.file_part,
    item_rows.sort_key,
    item_rows.planted,
    item_rows.invalid_rule,
    ---------- ids
    case
        when item_rows.invalid_rule = 'missing_key' then null
        else render_id('O', item_rows.order_num, 9)
    end as order_id,
    item_rows.line_number::varchar as line_number,
    case
        when item_rows.invalid_rule = 'missing_required_value' then null
        else render_id('P', item_rows.product_num, 6)
    end as product_id,
    ---------- numerics
    case item_rows.invalid_rule
        when 'unparseable_number' then pick(getvariable('bad_integers'), draw('items.bad', item_rows.sort_key))
        when 'negative_quantity' then (-item_rows.quantity)::varchar
        when 'zero_quantity' then '0'
        else item_rows.quantity::varchar
    end as quantity,
    case item_rows.invalid_rule
        when 'negative_unit_price' then render_amount(-item_rows.unit_price)
        else render_amount(item_rows.unit_price)
    end as unit_price,
    ---------- timestamps
    case item_rows.invalid_rule
        when 'unparseable_timestamp' then pick(getvariable('bad_timestamps'), draw('items.bad', item_rows.sort_key))
        else render_ts(item_rows.updated_at, draw('items.updated_at_style', item_rows.record_key))
    end as updated_at,
    ---------- optional
    case
        -- a negative or zero gross makes any discount exceed it: keep those rows to one broken rule
        when item_rows.invalid_rule in ('negative_quantity', 'zero_quantity', 'negative_unit_price') then null
        when item_rows.invalid_rule = 'discount_exceeds_gross'
            then render_amount(item_rows.quantity * item_rows.unit_price + 5)
        else render_amount(item_rows.discount_amount)
    end as discount_amount,
    case item_rows.invalid_rule
        when 'negative_shipping_amount' then '-4.99'
        else render_amount(item_rows.shipping_amount)
    end as shipping_amount,
    case
        when item_rows.invalid_rule = 'unparseable_boolean'
            then pick(getvariable('bad_booleans'), draw('items.bad', item_rows.sort_key))
        when not item_rows.is_deleted and draw('items.is_deleted_absent', item_rows.record_key) < 0.5 then null
        else render_bool(item_rows.is_deleted, draw('items.is_deleted_style', item_rows.record_key))
    end as is_deleted,
from item_rows;

drop table item_records;

-- stg_order_items: one row per raw order_items record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relation:
--   raw_order_items      every contract column as a string, plus source_file, source_row
with source as (
    select * from raw_order_items
),

typed as (
    select
        ---------- ids
        nullif(trim(source.order_id), '') as order_id,
        {{ parse_integer(source.line_number) }} as line_number,
        nullif(trim(source.product_id), '') as product_id,
        ---------- numerics
        {{ parse_integer(source.quantity) }} as quantity,
        {{ parse_decimal(source.unit_price) }} as unit_price,
        ---------- timestamps
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- optional numerics
        {{ parse_decimal(source.discount_amount) }} as discount_amount,
        {{ parse_decimal(source.shipping_amount) }} as shipping_amount,
        coalesce({{ parse_boolean(source.is_deleted) }}, false) as is_deleted,
        ---------- the raw strings, kept for quarantine
        source.order_id as raw_order_id,
        source.line_number as raw_line_number,
        source.product_id as raw_product_id,
        source.quantity as raw_quantity,
        source.unit_price as raw_unit_price,
        source.updated_at as raw_updated_at,
        source.discount_amount as raw_discount_amount,
        source.shipping_amount as raw_shipping_amount,
        source.is_deleted as raw_is_deleted,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
),

checked as (
    select
        typed.*,
        case
            when typed.order_id is null then 'missing key order_id'
            when nullif(trim(typed.raw_line_number), '') is null then 'missing key line_number'
            when typed.line_number is null then 'line_number is not an integer'
            when typed.product_id is null then 'missing required product_id'
            when nullif(trim(typed.raw_quantity), '') is null then 'missing required quantity'
            when typed.quantity is null then 'quantity is not an integer'
            when nullif(trim(typed.raw_unit_price), '') is null then 'missing required unit_price'
            when typed.unit_price is null then 'unit_price is not a number'
            when nullif(trim(typed.raw_updated_at), '') is null then 'missing required updated_at'
            when typed.updated_at is null then 'updated_at is not a timestamp'
            when nullif(trim(typed.raw_discount_amount), '') is not null and typed.discount_amount is null then 'discount_amount is not a number'
            when nullif(trim(typed.raw_shipping_amount), '') is not null and typed.shipping_amount is null then 'shipping_amount is not a number'
            when nullif(trim(typed.raw_is_deleted), '') is not null
                and {{ parse_boolean(typed.raw_is_deleted) }} is null then 'is_deleted is not a boolean'
            when typed.quantity < 0 then 'quantity is negative'
            when typed.quantity = 0 then 'quantity is zero'
            when typed.unit_price < 0 then 'unit_price is negative'
            when typed.shipping_amount < 0 then 'shipping_amount is negative'
            when typed.discount_amount < 0 then 'discount_amount is negative'
            when typed.discount_amount > typed.quantity * typed.unit_price then 'discount_amount exceeds quantity * unit_price'
        end as reject_reason,
        {{ row_hash(typed.product_id, typed.quantity, typed.unit_price, typed.discount_amount, typed.shipping_amount, typed.is_deleted) }} as row_hash
    from typed
)

select * from checked

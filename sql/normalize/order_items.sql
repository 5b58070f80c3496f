-- stg_order_items: one row per raw order_items record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_order_items      every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
with source as (
    select * from raw_order_items
),

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.order_id) }} as order_id_text,
        {{ text_of(source.line_number) }} as line_number_text,
        {{ text_of(source.product_id) }} as product_id_text,
        {{ text_of(source.quantity) }} as quantity_text,
        {{ text_of(source.unit_price) }} as unit_price_text,
        {{ text_of(source.updated_at) }} as updated_at_text,
        {{ text_of(source.discount_amount) }} as discount_amount_text,
        {{ text_of(source.shipping_amount) }} as shipping_amount_text,
        {{ text_of(source.is_deleted) }} as is_deleted_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(order_items.line_number, texts.line_number_text) }},
        {{ value_parts(order_items.quantity, texts.quantity_text) }},
        {{ value_parts(order_items.unit_price, texts.unit_price_text) }},
        {{ value_parts(order_items.updated_at, texts.updated_at_text) }},
        {{ value_parts(order_items.discount_amount, texts.discount_amount_text) }},
        {{ value_parts(order_items.shipping_amount, texts.shipping_amount_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(order_items.order_id, parts.order_id_text) }} as order_id_value,
        {{ parse_value(order_items.line_number, parts.line_number_text) }} as line_number_value,
        {{ parse_value(order_items.product_id, parts.product_id_text) }} as product_id_value,
        {{ parse_value(order_items.quantity, parts.quantity_text) }} as quantity_value,
        {{ parse_value(order_items.unit_price, parts.unit_price_text) }} as unit_price_value,
        {{ parse_value(order_items.updated_at, parts.updated_at_text) }} as updated_at_value,
        {{ parse_value(order_items.discount_amount, parts.discount_amount_text) }} as discount_amount_value,
        {{ parse_value(order_items.shipping_amount, parts.shipping_amount_text) }} as shipping_amount_value,
        {{ parse_value(order_items.is_deleted, parts.is_deleted_text) }} as is_deleted_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(order_items.order_id, parsed.order_id_text, parsed.order_id_value) }},
            {{ value_problem(order_items.line_number, parsed.line_number_text, parsed.line_number_value) }},
            {{ value_problem(order_items.product_id, parsed.product_id_text, parsed.product_id_value) }},
            {{ value_problem(order_items.quantity, parsed.quantity_text, parsed.quantity_value) }},
            {{ value_problem(order_items.unit_price, parsed.unit_price_text, parsed.unit_price_value) }},
            {{ value_problem(order_items.updated_at, parsed.updated_at_text, parsed.updated_at_value) }},
            {{ value_problem(order_items.discount_amount, parsed.discount_amount_text, parsed.discount_amount_value) }},
            {{ value_problem(order_items.shipping_amount, parsed.shipping_amount_text, parsed.shipping_amount_value) }},
            {{ value_problem(order_items.is_deleted, parsed.is_deleted_text, parsed.is_deleted_value) }}
        ) as value_problem
    from parsed
),

typed as (
    select
        checked.order_id_value as order_id,
        checked.line_number_value as line_number,
        checked.product_id_value as product_id,
        checked.quantity_value as quantity,
        checked.unit_price_value as unit_price,
        checked.updated_at_value as updated_at,
        checked.discount_amount_value as discount_amount,
        checked.shipping_amount_value as shipping_amount,
        coalesce(checked.is_deleted_value, false) as is_deleted,
        case
            when checked.value_problem is not null then checked.value_problem
            when checked.discount_amount_value > checked.quantity_value * checked.unit_price_value then 'discount_amount exceeds quantity * unit_price'
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.order_id as raw_order_id,
        checked.line_number as raw_line_number,
        checked.product_id as raw_product_id,
        checked.quantity as raw_quantity,
        checked.unit_price as raw_unit_price,
        checked.updated_at as raw_updated_at,
        checked.discount_amount as raw_discount_amount,
        checked.shipping_amount as raw_shipping_amount,
        checked.is_deleted as raw_is_deleted,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.product_id, typed.quantity, typed.unit_price, typed.discount_amount, typed.shipping_amount, typed.is_deleted) }} as row_hash
    from typed
)

select * from hashed

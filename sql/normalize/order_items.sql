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

{{ template(normalize/_contract_values.sql, order_items) }}

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

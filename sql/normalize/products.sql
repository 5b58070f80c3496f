-- stg_products: one row per raw products record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_products         every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_products
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'category'
),

{{ template(normalize/_contract_values.sql, products) }}

typed as (
    select
        checked.product_id_value as product_id,
        checked.updated_at_value as updated_at,
        checked.sku_value as sku,
        checked.name_value as name,
        coalesce(synonyms.canonical_code, checked.category_value) as category,
        checked.brand_value as brand,
        checked.list_price_value as list_price,
        checked.unit_cost_value as unit_cost,
        coalesce(checked.is_deleted_value, false) as is_deleted,
        case
            when checked.value_problem is not null then checked.value_problem
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.product_id as raw_product_id,
        checked.updated_at as raw_updated_at,
        checked.sku as raw_sku,
        checked.name as raw_name,
        checked.category as raw_category,
        checked.brand as raw_brand,
        checked.list_price as raw_list_price,
        checked.unit_cost as raw_unit_cost,
        checked.is_deleted as raw_is_deleted,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
    left join synonyms
        on synonyms.code = checked.category_value
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.sku, typed.name, typed.category, typed.brand, typed.list_price, typed.unit_cost, typed.is_deleted) }} as row_hash
    from typed
)

select * from hashed

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

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.product_id) }} as product_id_text,
        {{ text_of(source.updated_at) }} as updated_at_text,
        {{ text_of(source.sku) }} as sku_text,
        {{ text_of(source.name) }} as name_text,
        {{ text_of(source.category) }} as category_text,
        {{ text_of(source.brand) }} as brand_text,
        {{ text_of(source.list_price) }} as list_price_text,
        {{ text_of(source.unit_cost) }} as unit_cost_text,
        {{ text_of(source.is_deleted) }} as is_deleted_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(products.updated_at, texts.updated_at_text) }},
        {{ value_parts(products.list_price, texts.list_price_text) }},
        {{ value_parts(products.unit_cost, texts.unit_cost_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(products.product_id, parts.product_id_text) }} as product_id_value,
        {{ parse_value(products.updated_at, parts.updated_at_text) }} as updated_at_value,
        {{ parse_value(products.sku, parts.sku_text) }} as sku_value,
        {{ parse_value(products.name, parts.name_text) }} as name_value,
        {{ parse_value(products.category, parts.category_text) }} as category_value,
        {{ parse_value(products.brand, parts.brand_text) }} as brand_value,
        {{ parse_value(products.list_price, parts.list_price_text) }} as list_price_value,
        {{ parse_value(products.unit_cost, parts.unit_cost_text) }} as unit_cost_value,
        {{ parse_value(products.is_deleted, parts.is_deleted_text) }} as is_deleted_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(products.product_id, parsed.product_id_text, parsed.product_id_value) }},
            {{ value_problem(products.updated_at, parsed.updated_at_text, parsed.updated_at_value) }},
            {{ value_problem(products.sku, parsed.sku_text, parsed.sku_value) }},
            {{ value_problem(products.name, parsed.name_text, parsed.name_value) }},
            {{ value_problem(products.category, parsed.category_text, parsed.category_value) }},
            {{ value_problem(products.brand, parsed.brand_text, parsed.brand_value) }},
            {{ value_problem(products.list_price, parsed.list_price_text, parsed.list_price_value) }},
            {{ value_problem(products.unit_cost, parsed.unit_cost_text, parsed.unit_cost_value) }},
            {{ value_problem(products.is_deleted, parsed.is_deleted_text, parsed.is_deleted_value) }}
        ) as value_problem
    from parsed
),

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

-- stg_products: one row per raw products record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_products         every contract column as a string, plus source_file, source_row
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_products
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'category'
),

typed as (
    select
        ---------- ids
        nullif(trim(source.product_id), '') as product_id,
        ---------- timestamps
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- attributes
        nullif(trim(source.sku), '') as sku,
        nullif(trim(source.name), '') as name,
        coalesce(synonyms.canonical_code, nullif(lower(trim(source.category)), '')) as category,
        nullif(trim(source.brand), '') as brand,
        {{ parse_decimal(source.list_price) }} as list_price,
        {{ parse_decimal(source.unit_cost) }} as unit_cost,
        coalesce({{ parse_boolean(source.is_deleted) }}, false) as is_deleted,
        ---------- the raw strings, kept for quarantine
        source.product_id as raw_product_id,
        source.updated_at as raw_updated_at,
        source.sku as raw_sku,
        source.name as raw_name,
        source.category as raw_category,
        source.brand as raw_brand,
        source.list_price as raw_list_price,
        source.unit_cost as raw_unit_cost,
        source.is_deleted as raw_is_deleted,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
    left join synonyms
        on synonyms.code = lower(trim(source.category))
),

checked as (
    select
        typed.*,
        case
            when typed.product_id is null then 'missing key product_id'
            when nullif(trim(typed.raw_updated_at), '') is null then 'missing required updated_at'
            when typed.updated_at is null then 'updated_at is not a timestamp'
            when nullif(trim(typed.raw_list_price), '') is not null and typed.list_price is null then 'list_price is not a number'
            when nullif(trim(typed.raw_unit_cost), '') is not null and typed.unit_cost is null then 'unit_cost is not a number'
            when typed.list_price < 0 then 'list_price is negative'
            when typed.unit_cost < 0 then 'unit_cost is negative'
            when nullif(trim(typed.raw_is_deleted), '') is not null
                and {{ parse_boolean(typed.raw_is_deleted) }} is null then 'is_deleted is not a boolean'
        end as reject_reason,
        {{ row_hash(typed.sku, typed.name, typed.category, typed.brand, typed.list_price, typed.unit_cost, typed.is_deleted) }} as row_hash
    from typed
)

select * from checked

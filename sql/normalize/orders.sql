-- stg_orders: one row per raw orders record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_orders           every contract column as a string, plus source_file, source_row
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_orders
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'order_status'
),

typed as (
    select
        ---------- ids
        nullif(trim(source.order_id), '') as order_id,
        nullif(trim(source.customer_id), '') as customer_id,
        ---------- timestamps
        {{ parse_timestamp(source.order_ts) }} as order_ts,
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- attributes
        coalesce(synonyms.canonical_code, nullif(lower(trim(source.status)), '')) as status,
        nullif(upper(trim(source.currency)), '') as currency,
        ---------- the raw strings, kept for quarantine
        source.order_id as raw_order_id,
        source.customer_id as raw_customer_id,
        source.order_ts as raw_order_ts,
        source.updated_at as raw_updated_at,
        source.status as raw_status,
        source.currency as raw_currency,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
    left join synonyms
        on synonyms.code = lower(trim(source.status))
),

checked as (
    select
        typed.*,
        case
            when typed.order_id is null then 'missing key order_id'
            when typed.customer_id is null then 'missing required customer_id'
            when nullif(trim(typed.raw_order_ts), '') is null then 'missing required order_ts'
            when typed.order_ts is null then 'order_ts is not a timestamp'
            when nullif(trim(typed.raw_updated_at), '') is null then 'missing required updated_at'
            when typed.updated_at is null then 'updated_at is not a timestamp'
        end as reject_reason,
        {{ row_hash(typed.customer_id, typed.order_ts, typed.status, typed.currency) }} as row_hash
    from typed
)

select * from checked

-- stg_customers: one row per raw customers record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_customers        every contract column as a string, plus source_file, source_row
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_customers
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'segment'
),

typed as (
    select
        ---------- ids
        nullif(trim(source.customer_id), '') as customer_id,
        ---------- timestamps
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- attributes
        nullif(trim(source.email), '') as email,
        nullif(trim(source.first_name), '') as first_name,
        nullif(trim(source.last_name), '') as last_name,
        nullif(trim(source.city), '') as city,
        nullif(trim(source.state), '') as state,
        nullif(trim(source.country), '') as country,
        coalesce(synonyms.canonical_code, nullif(lower(trim(source.segment)), '')) as segment,
        coalesce({{ parse_boolean(source.is_deleted) }}, false) as is_deleted,
        ---------- the raw strings, kept for quarantine
        source.customer_id as raw_customer_id,
        source.updated_at as raw_updated_at,
        source.email as raw_email,
        source.first_name as raw_first_name,
        source.last_name as raw_last_name,
        source.city as raw_city,
        source.state as raw_state,
        source.country as raw_country,
        source.segment as raw_segment,
        source.is_deleted as raw_is_deleted,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
    left join synonyms
        on synonyms.code = lower(trim(source.segment))
),

checked as (
    select
        typed.*,
        case
            when typed.customer_id is null then 'missing key customer_id'
            when nullif(trim(typed.raw_updated_at), '') is null then 'missing required updated_at'
            when typed.updated_at is null then 'updated_at is not a timestamp'
            when nullif(trim(typed.raw_is_deleted), '') is not null
                and {{ parse_boolean(typed.raw_is_deleted) }} is null then 'is_deleted is not a boolean'
        end as reject_reason,
        {{ row_hash(typed.email, typed.first_name, typed.last_name, typed.city, typed.state, typed.country, typed.segment, typed.is_deleted) }} as row_hash
    from typed
)

select * from checked

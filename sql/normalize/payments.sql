-- stg_payments: one row per raw payments record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_payments         every contract column as a string, plus source_file, source_row
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_payments
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'payment_method'
),

typed as (
    select
        ---------- ids
        nullif(trim(source.payment_id), '') as payment_id,
        nullif(trim(source.order_id), '') as order_id,
        ---------- attributes
        coalesce(synonyms.canonical_code, nullif(lower(trim(source.payment_method)), '')) as payment_method,
        {{ parse_decimal(source.amount) }} as amount,
        ---------- timestamps
        {{ parse_timestamp(source.paid_at) }} as paid_at,
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- the raw strings, kept for quarantine
        source.payment_id as raw_payment_id,
        source.order_id as raw_order_id,
        source.payment_method as raw_payment_method,
        source.amount as raw_amount,
        source.paid_at as raw_paid_at,
        source.updated_at as raw_updated_at,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
    left join synonyms
        on synonyms.code = lower(trim(source.payment_method))
),

checked as (
    select
        typed.*,
        case
            when typed.payment_id is null then 'missing key payment_id'
            when typed.order_id is null then 'missing required order_id'
            when typed.payment_method is null then 'missing required payment_method'
            when nullif(trim(typed.raw_amount), '') is null then 'missing required amount'
            when typed.amount is null then 'amount is not a number'
            when nullif(trim(typed.raw_paid_at), '') is null then 'missing required paid_at'
            when typed.paid_at is null then 'paid_at is not a timestamp'
            when nullif(trim(typed.raw_updated_at), '') is not null and typed.updated_at is null then 'updated_at is not a timestamp'
            when typed.amount < 0 then 'amount is negative'
        end as reject_reason,
        {{ row_hash(typed.order_id, typed.payment_method, typed.amount, typed.paid_at) }} as row_hash
    from typed
)

select * from checked

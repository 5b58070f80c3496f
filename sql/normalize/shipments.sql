-- stg_shipments: one row per raw shipments record (grain: source_file, source_row),
-- typed, with reject_reason (null = the row goes to silver).
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_shipments        every contract column as a string, plus source_file, source_row
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_shipments
),

status_synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'shipment_status'
),

carrier_synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'carrier'
),

typed as (
    select
        ---------- ids
        nullif(trim(source.shipment_id), '') as shipment_id,
        nullif(trim(source.order_id), '') as order_id,
        ---------- attributes
        coalesce(status_synonyms.canonical_code, nullif(lower(trim(source.status)), '')) as status,
        ---------- timestamps
        {{ parse_timestamp(source.updated_at) }} as updated_at,
        ---------- optional attributes
        coalesce(carrier_synonyms.canonical_code, nullif(lower(trim(source.carrier)), '')) as carrier,
        {{ parse_timestamp(source.shipped_at) }} as shipped_at,
        {{ parse_timestamp(source.delivered_at) }} as delivered_at,
        ---------- the raw strings, kept for quarantine
        source.shipment_id as raw_shipment_id,
        source.order_id as raw_order_id,
        source.status as raw_status,
        source.updated_at as raw_updated_at,
        source.carrier as raw_carrier,
        source.shipped_at as raw_shipped_at,
        source.delivered_at as raw_delivered_at,
        ---------- lineage
        source.source_file,
        source.source_row
    from source
    left join status_synonyms
        on status_synonyms.code = lower(trim(source.status))
    left join carrier_synonyms
        on carrier_synonyms.code = lower(trim(source.carrier))
),

checked as (
    select
        typed.*,
        case
            when typed.shipment_id is null then 'missing key shipment_id'
            when typed.order_id is null then 'missing required order_id'
            when typed.status is null then 'missing required status'
            when nullif(trim(typed.raw_updated_at), '') is null then 'missing required updated_at'
            when typed.updated_at is null then 'updated_at is not a timestamp'
            when nullif(trim(typed.raw_shipped_at), '') is not null and typed.shipped_at is null then 'shipped_at is not a timestamp'
            when nullif(trim(typed.raw_delivered_at), '') is not null and typed.delivered_at is null then 'delivered_at is not a timestamp'
        end as reject_reason,
        {{ row_hash(typed.order_id, typed.status, typed.carrier, typed.shipped_at, typed.delivered_at) }} as row_hash
    from typed
)

select * from checked

-- stg_shipments: one row per raw shipments record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_shipments        every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
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

{{ template(normalize/_contract_values.sql, shipments) }}

typed as (
    select
        checked.shipment_id_value as shipment_id,
        checked.order_id_value as order_id,
        coalesce(status_synonyms.canonical_code, checked.status_value) as status,
        checked.updated_at_value as updated_at,
        coalesce(carrier_synonyms.canonical_code, checked.carrier_value) as carrier,
        checked.shipped_at_value as shipped_at,
        checked.delivered_at_value as delivered_at,
        case
            when checked.value_problem is not null then checked.value_problem
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.shipment_id as raw_shipment_id,
        checked.order_id as raw_order_id,
        checked.status as raw_status,
        checked.updated_at as raw_updated_at,
        checked.carrier as raw_carrier,
        checked.shipped_at as raw_shipped_at,
        checked.delivered_at as raw_delivered_at,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
    left join status_synonyms
        on status_synonyms.code = checked.status_value
    left join carrier_synonyms
        on carrier_synonyms.code = checked.carrier_value
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.order_id, typed.status, typed.carrier, typed.shipped_at, typed.delivered_at) }} as row_hash
    from typed
)

select * from hashed

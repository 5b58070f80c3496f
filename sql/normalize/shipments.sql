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

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.shipment_id) }} as shipment_id_text,
        {{ text_of(source.order_id) }} as order_id_text,
        {{ text_of(source.status) }} as status_text,
        {{ text_of(source.updated_at) }} as updated_at_text,
        {{ text_of(source.carrier) }} as carrier_text,
        {{ text_of(source.shipped_at) }} as shipped_at_text,
        {{ text_of(source.delivered_at) }} as delivered_at_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(shipments.updated_at, texts.updated_at_text) }},
        {{ value_parts(shipments.shipped_at, texts.shipped_at_text) }},
        {{ value_parts(shipments.delivered_at, texts.delivered_at_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(shipments.shipment_id, parts.shipment_id_text) }} as shipment_id_value,
        {{ parse_value(shipments.order_id, parts.order_id_text) }} as order_id_value,
        {{ parse_value(shipments.status, parts.status_text) }} as status_value,
        {{ parse_value(shipments.updated_at, parts.updated_at_text) }} as updated_at_value,
        {{ parse_value(shipments.carrier, parts.carrier_text) }} as carrier_value,
        {{ parse_value(shipments.shipped_at, parts.shipped_at_text) }} as shipped_at_value,
        {{ parse_value(shipments.delivered_at, parts.delivered_at_text) }} as delivered_at_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(shipments.shipment_id, parsed.shipment_id_text, parsed.shipment_id_value) }},
            {{ value_problem(shipments.order_id, parsed.order_id_text, parsed.order_id_value) }},
            {{ value_problem(shipments.status, parsed.status_text, parsed.status_value) }},
            {{ value_problem(shipments.updated_at, parsed.updated_at_text, parsed.updated_at_value) }},
            {{ value_problem(shipments.carrier, parsed.carrier_text, parsed.carrier_value) }},
            {{ value_problem(shipments.shipped_at, parsed.shipped_at_text, parsed.shipped_at_value) }},
            {{ value_problem(shipments.delivered_at, parsed.delivered_at_text, parsed.delivered_at_value) }}
        ) as value_problem
    from parsed
),

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

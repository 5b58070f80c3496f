-- stg_orders: one row per raw orders record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_orders           every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_orders
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'order_status'
),

{{ template(normalize/_contract_values.sql, orders) }}

typed as (
    select
        checked.order_id_value as order_id,
        checked.customer_id_value as customer_id,
        checked.order_ts_value as order_ts,
        checked.updated_at_value as updated_at,
        coalesce(synonyms.canonical_code, checked.status_value) as status,
        {{ upper_ascii(checked.currency_value) }} as currency,
        case
            when checked.value_problem is not null then checked.value_problem
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.order_id as raw_order_id,
        checked.customer_id as raw_customer_id,
        checked.order_ts as raw_order_ts,
        checked.updated_at as raw_updated_at,
        checked.status as raw_status,
        checked.currency as raw_currency,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
    left join synonyms
        on synonyms.code = checked.status_value
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.customer_id, typed.order_ts, typed.status, typed.currency) }} as row_hash
    from typed
)

select * from hashed

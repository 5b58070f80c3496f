-- stg_payments: one row per raw payments record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_payments         every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_payments
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'payment_method'
),

{{ template(normalize/_contract_values.sql, payments) }}

typed as (
    select
        checked.payment_id_value as payment_id,
        checked.order_id_value as order_id,
        coalesce(synonyms.canonical_code, checked.payment_method_value) as payment_method,
        checked.amount_value as amount,
        checked.paid_at_value as paid_at,
        checked.updated_at_value as updated_at,
        case
            when checked.value_problem is not null then checked.value_problem
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.payment_id as raw_payment_id,
        checked.order_id as raw_order_id,
        checked.payment_method as raw_payment_method,
        checked.amount as raw_amount,
        checked.paid_at as raw_paid_at,
        checked.updated_at as raw_updated_at,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
    left join synonyms
        on synonyms.code = checked.payment_method_value
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.order_id, typed.payment_method, typed.amount, typed.paid_at) }} as row_hash
    from typed
)

select * from hashed

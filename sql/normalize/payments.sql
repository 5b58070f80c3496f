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

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.payment_id) }} as payment_id_text,
        {{ text_of(source.order_id) }} as order_id_text,
        {{ text_of(source.payment_method) }} as payment_method_text,
        {{ text_of(source.amount) }} as amount_text,
        {{ text_of(source.paid_at) }} as paid_at_text,
        {{ text_of(source.updated_at) }} as updated_at_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(payments.amount, texts.amount_text) }},
        {{ value_parts(payments.paid_at, texts.paid_at_text) }},
        {{ value_parts(payments.updated_at, texts.updated_at_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(payments.payment_id, parts.payment_id_text) }} as payment_id_value,
        {{ parse_value(payments.order_id, parts.order_id_text) }} as order_id_value,
        {{ parse_value(payments.payment_method, parts.payment_method_text) }} as payment_method_value,
        {{ parse_value(payments.amount, parts.amount_text) }} as amount_value,
        {{ parse_value(payments.paid_at, parts.paid_at_text) }} as paid_at_value,
        {{ parse_value(payments.updated_at, parts.updated_at_text) }} as updated_at_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(payments.payment_id, parsed.payment_id_text, parsed.payment_id_value) }},
            {{ value_problem(payments.order_id, parsed.order_id_text, parsed.order_id_value) }},
            {{ value_problem(payments.payment_method, parsed.payment_method_text, parsed.payment_method_value) }},
            {{ value_problem(payments.amount, parsed.amount_text, parsed.amount_value) }},
            {{ value_problem(payments.paid_at, parsed.paid_at_text, parsed.paid_at_value) }},
            {{ value_problem(payments.updated_at, parsed.updated_at_text, parsed.updated_at_value) }}
        ) as value_problem
    from parsed
),

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

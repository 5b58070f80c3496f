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

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.order_id) }} as order_id_text,
        {{ text_of(source.customer_id) }} as customer_id_text,
        {{ text_of(source.order_ts) }} as order_ts_text,
        {{ text_of(source.updated_at) }} as updated_at_text,
        {{ text_of(source.status) }} as status_text,
        {{ text_of(source.currency) }} as currency_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(orders.order_ts, texts.order_ts_text) }},
        {{ value_parts(orders.updated_at, texts.updated_at_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(orders.order_id, parts.order_id_text) }} as order_id_value,
        {{ parse_value(orders.customer_id, parts.customer_id_text) }} as customer_id_value,
        {{ parse_value(orders.order_ts, parts.order_ts_text) }} as order_ts_value,
        {{ parse_value(orders.updated_at, parts.updated_at_text) }} as updated_at_value,
        {{ parse_value(orders.status, parts.status_text) }} as status_value,
        {{ parse_value(orders.currency, parts.currency_text) }} as currency_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(orders.order_id, parsed.order_id_text, parsed.order_id_value) }},
            {{ value_problem(orders.customer_id, parsed.customer_id_text, parsed.customer_id_value) }},
            {{ value_problem(orders.order_ts, parsed.order_ts_text, parsed.order_ts_value) }},
            {{ value_problem(orders.updated_at, parsed.updated_at_text, parsed.updated_at_value) }},
            {{ value_problem(orders.status, parsed.status_text, parsed.status_value) }},
            {{ value_problem(orders.currency, parsed.currency_text, parsed.currency_value) }}
        ) as value_problem
    from parsed
),

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

-- stg_customers: one row per raw customers record (grain: source_file, source_row),
-- typed by the contract (functions/core/contract.json: kinds and limits, applied by
-- the value macros of functions/core/sql/valueRules.ts), with reject_reason (null =
-- the row goes to silver): the reader's problem, else the first column (in contract
-- order) whose value is missing or breaks its kind or limit, else the table's own rules.
-- Runs unchanged on DuckDB (local) and Spark SQL (Glue). Input relations:
--   raw_customers        every contract column as a string, plus source_file, source_row and
--                        read_error (why the reader could not take the record apart, or NULL)
--   vocabulary_synonyms  sql/seeds/vocabulary_synonyms.csv
with source as (
    select * from raw_customers
),

synonyms as (
    select code, canonical_code from vocabulary_synonyms where domain = 'segment'
),

texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ text_of(source.customer_id) }} as customer_id_text,
        {{ text_of(source.updated_at) }} as updated_at_text,
        {{ text_of(source.email) }} as email_text,
        {{ text_of(source.first_name) }} as first_name_text,
        {{ text_of(source.last_name) }} as last_name_text,
        {{ text_of(source.city) }} as city_text,
        {{ text_of(source.state) }} as state_text,
        {{ text_of(source.country) }} as country_text,
        {{ text_of(source.segment) }} as segment_text,
        {{ text_of(source.is_deleted) }} as is_deleted_text
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ value_parts(customers.updated_at, texts.updated_at_text) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ parse_value(customers.customer_id, parts.customer_id_text) }} as customer_id_value,
        {{ parse_value(customers.updated_at, parts.updated_at_text) }} as updated_at_value,
        {{ parse_value(customers.email, parts.email_text) }} as email_value,
        {{ parse_value(customers.first_name, parts.first_name_text) }} as first_name_value,
        {{ parse_value(customers.last_name, parts.last_name_text) }} as last_name_value,
        {{ parse_value(customers.city, parts.city_text) }} as city_value,
        {{ parse_value(customers.state, parts.state_text) }} as state_value,
        {{ parse_value(customers.country, parts.country_text) }} as country_value,
        {{ parse_value(customers.segment, parts.segment_text) }} as segment_value,
        {{ parse_value(customers.is_deleted, parts.is_deleted_text) }} as is_deleted_value
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ value_problem(customers.customer_id, parsed.customer_id_text, parsed.customer_id_value) }},
            {{ value_problem(customers.updated_at, parsed.updated_at_text, parsed.updated_at_value) }},
            {{ value_problem(customers.email, parsed.email_text, parsed.email_value) }},
            {{ value_problem(customers.first_name, parsed.first_name_text, parsed.first_name_value) }},
            {{ value_problem(customers.last_name, parsed.last_name_text, parsed.last_name_value) }},
            {{ value_problem(customers.city, parsed.city_text, parsed.city_value) }},
            {{ value_problem(customers.state, parsed.state_text, parsed.state_value) }},
            {{ value_problem(customers.country, parsed.country_text, parsed.country_value) }},
            {{ value_problem(customers.segment, parsed.segment_text, parsed.segment_value) }},
            {{ value_problem(customers.is_deleted, parsed.is_deleted_text, parsed.is_deleted_value) }}
        ) as value_problem
    from parsed
),

typed as (
    select
        checked.customer_id_value as customer_id,
        checked.updated_at_value as updated_at,
        checked.email_value as email,
        checked.first_name_value as first_name,
        checked.last_name_value as last_name,
        checked.city_value as city,
        checked.state_value as state,
        checked.country_value as country,
        coalesce(synonyms.canonical_code, checked.segment_value) as segment,
        coalesce(checked.is_deleted_value, false) as is_deleted,
        case
            when checked.value_problem is not null then checked.value_problem
        end as reject_reason,
        ---------- the raw strings, kept for quarantine
        checked.customer_id as raw_customer_id,
        checked.updated_at as raw_updated_at,
        checked.email as raw_email,
        checked.first_name as raw_first_name,
        checked.last_name as raw_last_name,
        checked.city as raw_city,
        checked.state as raw_state,
        checked.country as raw_country,
        checked.segment as raw_segment,
        checked.is_deleted as raw_is_deleted,
        ---------- lineage
        checked.source_file,
        checked.source_row
    from checked
    left join synonyms
        on synonyms.code = checked.segment_value
),

hashed as (
    select
        typed.*,
        {{ row_hash(typed.email, typed.first_name, typed.last_name, typed.city, typed.state, typed.country, typed.segment, typed.is_deleted) }} as row_hash
    from typed
)

select * from hashed

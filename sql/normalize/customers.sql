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

{{ template(normalize/_contract_values.sql, customers) }}

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

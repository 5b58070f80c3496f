-- The values of a raw {{ $table }} record as the contract types them, one CTE per stage:
-- trimmed (texts), numbers and timestamps taken apart (parts), typed (parsed), and
-- the first problem (checked). Written once for the six normalizers
-- (sql/normalize/_contract_values.sql), filled in from the contract's {{ $table }}
-- table: every column, in contract order, by the value macros of
-- functions/core/sql/valueRules.ts. The model file names the `source` relation
-- before it and its own rules (typed, hashed) after it.
texts as (
    -- each raw value trimmed of ASCII whitespace; nothing left means missing (NULL)
    select
        source.*,
        {{ $value_texts(source) }}
    from source
),

parts as (
    -- each number and timestamp text taken apart once, where it is not of the common shape
    select
        texts.*,
        {{ $value_parts(texts) }}
    from texts
),

parsed as (
    -- each text typed by its column's kind: NULL when missing or invalid
    select
        parts.*,
        {{ $parsed_values(parts) }}
    from parts
),

checked as (
    -- the first problem: the reader's, then the columns' in contract order
    select
        parsed.*,
        coalesce(
            parsed.read_error,
            {{ $value_problems(parsed) }}
        ) as value_problem
    from parsed
),

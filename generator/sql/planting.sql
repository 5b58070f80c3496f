-- planted_rows: what real feeds do to otherwise clean rows.
-- Grain: one row per row the feed sends (typed; each table's gen_<table>
-- renders them to strings).
--
-- Works on any table of typed records with the columns batch_index, file_part,
-- sort_key, record_key and planted, and returns them with:
--   * exact duplicates of about 1% in the same batch (planted 'duplicate_in_batch'),
--   * about 1% sent again in a later batch (planted 'duplicate_in_later_batch'),
--   * copies of about 0.5% that gen_<table> renders so that each breaks one
--     rejection rule (invalid_rule); never fewer than one per rule, so every
--     rule shows up even in a tiny lake.
-- Copies keep the record_key their strings are drawn from, so a duplicate
-- renders byte for byte like its original. Each part scans the source table
-- itself: a shared CTE would be materialized, a copy of every row.
create or replace macro planted_rows(source_table, rules) as table
with
in_same_batch as (
    select * replace ('duplicate_in_batch' as planted)
    from query_table(source_table) as source
    where draw(source_table || '.duplicate', source.record_key) < 0.01
),

in_later_batch as (
    select * replace (
        least(
            source.batch_index + 1 + floor(3 * draw(source_table || '.resend_by', source.record_key))::integer,
            getvariable('days') - 1
        ) as batch_index,
        'duplicate_in_later_batch' as planted
    )
    from query_table(source_table) as source
    where draw(source_table || '.resend', source.record_key) < 0.01
        and source.batch_index < getvariable('days') - 1
),

-- the rows with the smallest draws, whatever the table's size ...
first_invalid as (
    select source.record_key,
    from query_table(source_table) as source
    order by draw(source_table || '.invalid', source.record_key), source.record_key
    limit 10
),

-- ... and about 0.5% more; ranked so that the rules take turns
invalid_candidates as (
    select
        source.*,
        draw(source_table || '.invalid', source.record_key) as invalid_draw,
        row_number() over (
            order by draw(source_table || '.invalid', source.record_key), source.record_key
        ) as invalid_rank,
    from query_table(source_table) as source
    where draw(source_table || '.invalid', source.record_key) < 0.005
        or source.record_key in (select first_invalid.record_key from first_invalid)
),

invalid_copies as (
    select
        invalid_candidates.* exclude (invalid_draw, invalid_rank) replace (
            hash(invalid_candidates.sort_key, 'invalid') as sort_key
        ),
        rules[1 + ((invalid_candidates.invalid_rank - 1) % len(rules))::integer] as invalid_rule,
    from invalid_candidates
    where invalid_candidates.invalid_rank <= len(rules)
        or invalid_candidates.invalid_draw < 0.005
)

select *, cast(null as varchar) as invalid_rule, from query_table(source_table)
union all
select *, cast(null as varchar) as invalid_rule, from in_same_batch
union all
select *, cast(null as varchar) as invalid_rule, from in_later_batch
union all
select * from invalid_copies;

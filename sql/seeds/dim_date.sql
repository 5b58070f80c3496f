-- The days dim_date is seeded with: 1990-01-01 to 2059-12-31 (25,567 days), into
-- tmp_calendar_days for sql/dimensions/dim_date.sql, which runs next in the same
-- transaction. Numbers come from a cross join of digits: Redshift cannot feed an
-- insert from generate_series (leader node only). Other days a fact carries are
-- added by BuildFacts (sql/facts/fact_days.sql).
drop table if exists tmp_calendar_days;

create temp table tmp_calendar_days as
with digits as (
    select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
    union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),

day_numbers as (
    select ones.d + 10 * tens.d + 100 * hundreds.d + 1000 * thousands.d + 10000 * tenthousands.d as n
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as tenthousands
)

select cast(date '1990-01-01' + day_numbers.n as date) as day_date
from day_numbers
where day_numbers.n < 25567;

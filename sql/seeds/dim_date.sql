-- dim_date: one row per day from 1990-01-01 to 2059-12-31 (25,567 days), built
-- once. Numbers come from a cross join of digits: Redshift cannot feed an
-- insert from generate_series (leader node only).
insert into dw.dim_date (date_key, "date", "year", quarter, "month", month_name, day_of_month, day_of_week, day_name, iso_week, is_weekend)
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
),

days as (
    select cast(date '1990-01-01' + day_numbers.n as date) as day_date
    from day_numbers
    where day_numbers.n < 25567
),

calendar as (
    select
        cast(extract(year from days.day_date) * 10000 + extract(month from days.day_date) * 100 + extract(day from days.day_date) as integer) as date_key,
        days.day_date as "date",
        cast(extract(year from days.day_date) as integer) as "year",
        cast(extract(quarter from days.day_date) as integer) as quarter,
        cast(extract(month from days.day_date) as integer) as "month",
        cast(extract(day from days.day_date) as integer) as day_of_month,
        -- extract(dow) is 0 = Sunday on both engines; ISO wants 1 = Monday .. 7 = Sunday.
        cast(mod(cast(extract(dow from days.day_date) as integer) + 6, 7) + 1 as integer) as day_of_week,
        cast(extract(week from days.day_date) as integer) as iso_week
    from days
)

select
    calendar.date_key,
    calendar."date",
    calendar."year",
    calendar.quarter,
    calendar."month",
    case calendar."month"
        when 1 then 'January' when 2 then 'February' when 3 then 'March' when 4 then 'April'
        when 5 then 'May' when 6 then 'June' when 7 then 'July' when 8 then 'August'
        when 9 then 'September' when 10 then 'October' when 11 then 'November' else 'December'
    end as month_name,
    calendar.day_of_month,
    calendar.day_of_week,
    case calendar.day_of_week
        when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday' when 4 then 'Thursday'
        when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
    end as day_name,
    calendar.iso_week,
    calendar.day_of_week >= 6 as is_weekend
from calendar
where not exists (select 1 from dw.dim_date);

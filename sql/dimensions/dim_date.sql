-- dim_date: one row per calendar day (grain: date_key = YYYYMMDD), for the days in
-- tmp_calendar_days that it does not hold yet. The day list comes from the seed
-- (sql/seeds/dim_date.sql) or from the facts a batch writes (sql/facts/fact_days.sql).
insert into dw.dim_date (date_key, "date", "year", quarter, "month", month_name, day_of_month, day_of_week, day_name, iso_week, is_weekend)
with new_days as (
    select distinct days.day_date
    from tmp_calendar_days as days
    where days.day_date is not null
        and not exists (select 1 from dw.dim_date as known where known."date" = days.day_date)
),

calendar as (
    select
        cast(extract(year from new_days.day_date) * 10000 + extract(month from new_days.day_date) * 100 + extract(day from new_days.day_date) as integer) as date_key,
        new_days.day_date as "date",
        cast(extract(year from new_days.day_date) as integer) as "year",
        cast(extract(quarter from new_days.day_date) as integer) as quarter,
        cast(extract(month from new_days.day_date) as integer) as "month",
        cast(extract(day from new_days.day_date) as integer) as day_of_month,
        -- extract(dow) is 0 = Sunday on both engines; ISO wants 1 = Monday .. 7 = Sunday.
        cast(mod(cast(extract(dow from new_days.day_date) as integer) + 6, 7) + 1 as integer) as day_of_week,
        cast(extract(week from new_days.day_date) as integer) as iso_week
    from new_days
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
from calendar;

-- dim_date: one row per calendar day from 2000 to 2049 (covers every fact date
-- the shop can send: the contract rejects timestamps outside this range's
-- sentinels long before).
with days as (
    select cast(spine.day as date) as calendar_date
    from range(date '2000-01-01', date '2050-01-01', interval 1 day) as spine (day)
),

described as (
    select
        cast(strftime(days.calendar_date, '%Y%m%d') as integer) as date_key,
        days.calendar_date as "date",
        year(days.calendar_date) as "year",
        quarter(days.calendar_date) as quarter,
        month(days.calendar_date) as "month",
        monthname(days.calendar_date) as month_name,
        day(days.calendar_date) as day_of_month,
        isodow(days.calendar_date) as day_of_week,
        dayname(days.calendar_date) as day_name,
        weekofyear(days.calendar_date) as iso_week,
        isodow(days.calendar_date) >= 6 as is_weekend
    from days
)

select * from described

-- Report section restatements: the published figures (revenue, margin and
-- payments per date, in total and per slice) of the days the comparison load
-- :compare_seq had published that hold another value at load :known_seq (a
-- slice the day did not have counts as 0 then), per period (:grain),
-- with the causes recorded by the loads in between (audit.restatement_causes):
-- one row per figure and cause. Parameters: :known_seq, :compare_seq, :from_date, :to_date, :grain.
with figures_then as (
    select figures.business_date, figures.measure, figures.slice_kind, figures.slice_value, figures.figure_value
    from known.daily_figures as figures
    where {{ known_at(figures, :compare_seq) }}
        and figures.business_date >= cast(:from_date as date)
        and figures.business_date <= cast(:to_date as date)
),

figures_now as (
    select figures.business_date, figures.measure, figures.slice_kind, figures.slice_value, figures.figure_value
    from known.daily_figures as figures
    where {{ known_at(figures) }}
        and figures.business_date >= cast(:from_date as date)
        and figures.business_date <= cast(:to_date as date)
),

days_then as (
    -- the days (per measure) the comparison load had published
    select figures_then.business_date, figures_then.measure
    from figures_then
    where figures_then.slice_kind = 'total'
),

compared as (
    -- every figure of those days, then and now (a slice the day did not have was 0)
    select
        case :grain
            when 'day' then days_then.business_date
            when 'week' then cast(date_trunc('week', days_then.business_date) as date)
            else cast(date_trunc('month', days_then.business_date) as date)
        end as period_start,
        coalesce(figures_now.measure, figures_then.measure) as measure,
        coalesce(figures_now.slice_kind, figures_then.slice_kind) as slice_kind,
        coalesce(figures_now.slice_value, figures_then.slice_value) as slice_value,
        coalesce(figures_then.figure_value, 0) as old_value,
        coalesce(figures_now.figure_value, 0) as new_value
    from figures_now
    full outer join figures_then
        on figures_then.business_date = figures_now.business_date
        and figures_then.measure = figures_now.measure
        and figures_then.slice_kind = figures_now.slice_kind
        and figures_then.slice_value = figures_now.slice_value
    inner join days_then
        on days_then.business_date = coalesce(figures_now.business_date, figures_then.business_date)
        and days_then.measure = coalesce(figures_now.measure, figures_then.measure)
),

moved as (
    select
        compared.period_start, compared.measure, compared.slice_kind, compared.slice_value,
        sum(compared.old_value) as old_value,
        sum(compared.new_value) as new_value
    from compared
    group by compared.period_start, compared.measure, compared.slice_kind, compared.slice_value
    having sum(compared.old_value) <> sum(compared.new_value)
),

causes as (
    select
        case :grain
            when 'day' then recorded.business_date
            when 'week' then cast(date_trunc('week', recorded.business_date) as date)
            else cast(date_trunc('month', recorded.business_date) as date)
        end as period_start,
        recorded.measure,
        recorded.slice_kind,
        recorded.slice_value,
        recorded.cause,
        recorded.change_rows,
        recorded.first_key,
        recorded.last_key,
        recorded.amount
    from audit.restatement_causes as recorded
    inner join days_then
        on days_then.business_date = recorded.business_date
        and days_then.measure = recorded.measure
    where recorded.load_seq > :compare_seq
        and recorded.load_seq <= :known_seq
),

cause_totals as (
    select
        causes.period_start, causes.measure, causes.slice_kind, causes.slice_value, causes.cause,
        -- product and customer changes are recorded key by key (counted once however many days they
        -- moved); an order's or item's change rows belong to one day and are counted as recorded
        case
            when causes.cause in ('late_product', 'product_cost_correction', 'product_category_change', 'late_customer', 'customer_change')
                then count(distinct causes.first_key)
            else sum(causes.change_rows)
        end as change_rows,
        min(causes.first_key) as first_key,
        max(causes.last_key) as last_key,
        sum(causes.amount) as amount
    from causes
    group by causes.period_start, causes.measure, causes.slice_kind, causes.slice_value, causes.cause
)

select
    moved.period_start,
    moved.measure,
    moved.slice_kind,
    moved.slice_value,
    moved.old_value,
    moved.new_value,
    cause_totals.cause,
    cause_totals.change_rows,
    cause_totals.first_key,
    cause_totals.last_key,
    cause_totals.amount
from moved
left join cause_totals
    on cause_totals.period_start = moved.period_start
    and cause_totals.measure = moved.measure
    and cause_totals.slice_kind = moved.slice_kind
    and cause_totals.slice_value = moved.slice_value
order by
    moved.period_start,
    case moved.measure when 'revenue' then 1 when 'margin' then 2 else 3 end,
    case moved.slice_kind when 'total' then 1 when 'payment_channel' then 2 when 'category' then 3 when 'segment' then 4 else 5 end,
    moved.slice_value,
    cause_totals.cause

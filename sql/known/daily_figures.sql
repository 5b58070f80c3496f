-- known.daily_figures and the restatement ledger. The published figures are
-- recognized revenue and margin per order date, and payments per paid date,
-- in total and per slice (payment channel, and for revenue and margin also
-- product category, customer segment and customer city, all valid at purchase).
-- This load moves a figure by what its closed and opened versions contribute;
-- moving a figure an earlier load had published is a restatement, recorded with
-- old and new value and the change rows behind it (audit.restatement_causes,
-- one row per cause and key). Runs after known/order_items.sql,
-- known/payments.sql and known/orders.sql, and reads the versions they closed
-- and opened (their tmp_known_*_diff tables).
-- Parameters: :load_seq, :run_id, :batch_id.

-- 1. What each changed item version contributes (minus for the version this
-- load closed, plus for the one it opened), and what differs between its two
-- versions: the cause of a move depends on the figure (a late payment moves the
-- item between payment channels, not the day's total).
drop table if exists tmp_known_item_moves;

create temp table tmp_known_item_moves as
with closed_items as (
    select diff.* from tmp_known_items_diff as diff where diff.side = 'closed'
),

opened_items as (
    select diff.* from tmp_known_items_diff as diff where diff.side = 'opened'
),

earlier_orders as (
    -- of the orders with new item versions, those some earlier load already knew
    select distinct stored.order_id
    from known.orders as stored
    inner join (select distinct opened_items.order_id from opened_items) as new_items
        on new_items.order_id = stored.order_id
    where stored.known_from < cast(:load_seq as bigint)
),

paired as (
    select
        coalesce(opened_items.order_id, closed_items.order_id) as order_id,
        coalesce(opened_items.line_number, closed_items.line_number) as line_number,
        coalesce(opened_items.product_id, closed_items.product_id) as product_id,
        coalesce(opened_items.customer_id, closed_items.customer_id) as customer_id,
        closed_items.order_id as closed_order_id,
        closed_items.order_date as closed_date,
        closed_items.payment_channel as closed_channel,
        coalesce(closed_items.category, '(none)') as closed_category,
        coalesce(closed_items.segment, '(none)') as closed_segment,
        coalesce(closed_items.city, '(none)') as closed_city,
        closed_items.recognized_revenue as closed_revenue,
        coalesce(closed_items.recognized_margin, 0) as closed_margin,
        opened_items.order_id as opened_order_id,
        opened_items.order_date as opened_date,
        opened_items.payment_channel as opened_channel,
        coalesce(opened_items.category, '(none)') as opened_category,
        coalesce(opened_items.segment, '(none)') as opened_segment,
        coalesce(opened_items.city, '(none)') as opened_city,
        opened_items.recognized_revenue as opened_revenue,
        coalesce(opened_items.recognized_margin, 0) as opened_margin,
        -- causes that move every figure the item counts in
        case
            when opened_items.order_id is null then cast('deleted_item' as varchar(32))
            when closed_items.order_id is null and earlier_orders.order_id is null then 'late_order'
            when closed_items.order_id is null then 'added_item'
            when opened_items.revenue_state <> closed_items.revenue_state and opened_items.revenue_state = 'cancelled' then 'cancellation'
            when opened_items.revenue_state <> closed_items.revenue_state and opened_items.revenue_state = 'returned' then 'return'
            when opened_items.revenue_state <> closed_items.revenue_state then 'reinstatement'
            when opened_items.product_id <> closed_items.product_id or opened_items.quantity <> closed_items.quantity
                or opened_items.net_revenue <> closed_items.net_revenue then 'item_correction'
            when opened_items.order_date <> closed_items.order_date then 'order_date_correction'
        end as item_cause,
        -- differences that move only some figures: the slice the item counts in, or its margin
        case when opened_items.payment_channel <> closed_items.payment_channel then true else false end as is_channel_changed,
        case when not {{ same(opened_items.category, closed_items.category) }} then true else false end as is_category_changed,
        case when not {{ same(opened_items.segment, closed_items.segment) }} then true else false end as is_segment_changed,
        case when not {{ same(opened_items.city, closed_items.city) }} then true else false end as is_city_changed,
        case when closed_items.is_product_inferred and not opened_items.is_product_inferred then true else false end as is_product_resolved,
        case when closed_items.is_customer_inferred and not opened_items.is_customer_inferred then true else false end as is_customer_resolved,
        -- the same booked item with another margin: its purchase-time cost changed
        case when not {{ same(opened_items.recognized_margin, closed_items.recognized_margin) }} then true else false end as is_cost_changed
    from opened_items
    full outer join closed_items
        on closed_items.order_id = opened_items.order_id
        and closed_items.line_number = opened_items.line_number
    left join earlier_orders
        on earlier_orders.order_id = coalesce(opened_items.order_id, closed_items.order_id)
)

select
    paired.closed_date as business_date, paired.closed_channel as payment_channel, paired.closed_category as category,
    paired.closed_segment as segment, paired.closed_city as city, -paired.closed_revenue as revenue,
    -paired.closed_margin as margin, paired.order_id, paired.line_number, paired.product_id, paired.customer_id,
    paired.item_cause, paired.is_channel_changed, paired.is_category_changed, paired.is_segment_changed,
    paired.is_city_changed, paired.is_product_resolved, paired.is_customer_resolved, paired.is_cost_changed
from paired
where paired.closed_order_id is not null
union all
select
    paired.opened_date, paired.opened_channel, paired.opened_category, paired.opened_segment, paired.opened_city,
    paired.opened_revenue, paired.opened_margin, paired.order_id, paired.line_number, paired.product_id,
    paired.customer_id, paired.item_cause, paired.is_channel_changed, paired.is_category_changed,
    paired.is_segment_changed, paired.is_city_changed, paired.is_product_resolved, paired.is_customer_resolved,
    paired.is_cost_changed
from paired
where paired.opened_order_id is not null;

-- 2. The same for payments: a new one is a late payment, a changed one a correction.
drop table if exists tmp_known_payment_moves;

create temp table tmp_known_payment_moves as
with closed_payments as (
    select diff.* from tmp_known_payments_diff as diff where diff.side = 'closed'
),

opened_payments as (
    select diff.* from tmp_known_payments_diff as diff where diff.side = 'opened'
),

paired as (
    select
        coalesce(opened_payments.payment_id, closed_payments.payment_id) as payment_id,
        closed_payments.payment_id as closed_payment_id,
        closed_payments.paid_date as closed_date,
        closed_payments.payment_channel as closed_channel,
        closed_payments.amount as closed_amount,
        opened_payments.payment_id as opened_payment_id,
        opened_payments.paid_date as opened_date,
        opened_payments.payment_channel as opened_channel,
        opened_payments.amount as opened_amount,
        case
            when closed_payments.payment_id is null then cast('late_payment' as varchar(32))
            when opened_payments.payment_id is null then 'removed_payment'
            else 'payment_correction'
        end as cause
    from opened_payments
    full outer join closed_payments
        on closed_payments.payment_id = opened_payments.payment_id
)

select paired.closed_date as business_date, paired.closed_channel as payment_channel, -paired.closed_amount as amount,
    paired.cause, paired.payment_id as cause_key
from paired
where paired.closed_payment_id is not null
union all
select paired.opened_date, paired.opened_channel, paired.opened_amount, paired.cause, paired.payment_id
from paired
where paired.opened_payment_id is not null;

-- 3. How much each figure moves (cells first: the moves of a busy day are many).
drop table if exists tmp_known_figure_changes;

create temp table tmp_known_figure_changes as
with cells as (
    select
        moves.business_date, moves.payment_channel, moves.category, moves.segment, moves.city,
        sum(moves.revenue) as revenue,
        sum(moves.margin) as margin
    from tmp_known_item_moves as moves
    group by moves.business_date, moves.payment_channel, moves.category, moves.segment, moves.city
),

sliced as (
    select cells.business_date, cast('total' as varchar(32)) as slice_kind, cast('all' as varchar(256)) as slice_value, cells.revenue, cells.margin from cells
    union all
    select cells.business_date, 'payment_channel', cells.payment_channel, cells.revenue, cells.margin from cells
    union all
    select cells.business_date, 'category', cells.category, cells.revenue, cells.margin from cells
    union all
    select cells.business_date, 'segment', cells.segment, cells.revenue, cells.margin from cells
    union all
    select cells.business_date, 'city', cells.city, cells.revenue, cells.margin from cells
),

measured as (
    select sliced.business_date, cast('revenue' as varchar(32)) as measure, sliced.slice_kind, sliced.slice_value, sliced.revenue as delta from sliced
    union all
    select sliced.business_date, 'margin', sliced.slice_kind, sliced.slice_value, sliced.margin from sliced
    union all
    select moves.business_date, 'payments', 'total', 'all', moves.amount from tmp_known_payment_moves as moves
    union all
    select moves.business_date, 'payments', 'payment_channel', moves.payment_channel, moves.amount from tmp_known_payment_moves as moves
),

deltas as (
    select measured.business_date, measured.measure, measured.slice_kind, measured.slice_value, sum(measured.delta) as delta
    from measured
    group by measured.business_date, measured.measure, measured.slice_kind, measured.slice_value
)

select
    deltas.business_date,
    deltas.measure,
    deltas.slice_kind,
    deltas.slice_value,
    published.figure_value as published_value,
    -- a figure of a day already published is a restatement even when its slice is new
    -- (revenue moving to a payment channel the day did not have): it was 0 then
    case when day_totals.business_date is null then null else coalesce(published.figure_value, 0) end as old_value,
    coalesce(published.known_from, day_totals.known_from) as published_by_load,
    coalesce(published.figure_value, 0) + deltas.delta as new_value
from deltas
left join known.daily_figures as published
    on published.business_date = deltas.business_date
    and published.measure = deltas.measure
    and published.slice_kind = deltas.slice_kind
    and published.slice_value = deltas.slice_value
    and published.known_to is null
left join known.daily_figures as day_totals
    on day_totals.business_date = deltas.business_date
    and day_totals.measure = deltas.measure
    and day_totals.slice_kind = 'total'
    and day_totals.known_to is null
where deltas.delta <> 0;

-- 4. Restatements: figures of days an earlier load had published that moved.
insert into audit.restatements (
    load_seq, run_id, batch_id, business_date, measure, slice_kind, slice_value, old_value, new_value, published_by_load
)
select
    cast(:load_seq as bigint), cast(:run_id as varchar(64)), cast(:batch_id as varchar(64)), changes.business_date, changes.measure, changes.slice_kind,
    changes.slice_value, changes.old_value, changes.new_value, changes.published_by_load
from tmp_known_figure_changes as changes
where changes.old_value is not null;

-- 5. Their causes: per restated figure, each cause key whose rows move it (only
-- the days with a restatement are sliced, so a day of new orders costs nothing
-- here). A cause is the first that applies: one that moves every figure of the
-- item, else a change of the slice's own attribute, else (margin) its cost.
insert into audit.restatement_causes (
    load_seq, business_date, measure, slice_kind, slice_value, cause, change_rows, first_key, last_key, amount
)
with restated_days as (
    select distinct changes.business_date from tmp_known_figure_changes as changes where changes.old_value is not null
),

day_moves as (
    select moves.*
    from tmp_known_item_moves as moves
    inner join restated_days on restated_days.business_date = moves.business_date
),

sliced as (
    select
        day_moves.*, cast('total' as varchar(32)) as slice_kind, cast('all' as varchar(256)) as slice_value,
        cast(null as varchar(32)) as slice_cause
    from day_moves
    union all
    select
        day_moves.*, 'payment_channel', day_moves.payment_channel,
        case when day_moves.is_channel_changed then 'payment_channel_change' end
    from day_moves
    union all
    select
        day_moves.*, 'category', day_moves.category,
        case when day_moves.is_product_resolved then 'late_product' when day_moves.is_category_changed then 'product_category_change' end
    from day_moves
    union all
    select
        day_moves.*, 'segment', day_moves.segment,
        case when day_moves.is_customer_resolved then 'late_customer' when day_moves.is_segment_changed then 'customer_change' end
    from day_moves
    union all
    select
        day_moves.*, 'city', day_moves.city,
        case when day_moves.is_customer_resolved then 'late_customer' when day_moves.is_city_changed then 'customer_change' end
    from day_moves
),

measured as (
    select
        sliced.business_date, cast('revenue' as varchar(32)) as measure, sliced.slice_kind, sliced.slice_value,
        coalesce(sliced.item_cause, sliced.slice_cause, 'other_change') as cause,
        sliced.order_id, sliced.line_number, sliced.product_id, sliced.customer_id, sliced.revenue as amount
    from sliced
    union all
    select
        sliced.business_date, 'margin', sliced.slice_kind, sliced.slice_value,
        coalesce(
            sliced.item_cause,
            sliced.slice_cause,
            case when sliced.is_product_resolved then 'late_product' when sliced.is_cost_changed then 'product_cost_correction' end,
            'other_change'
        ),
        sliced.order_id, sliced.line_number, sliced.product_id, sliced.customer_id, sliced.margin
    from sliced
),

keyed as (
    -- the change row behind the cause: a product, a customer, an item or an order
    select
        measured.business_date, measured.measure, measured.slice_kind, measured.slice_value, measured.cause,
        case
            when measured.cause in ('late_product', 'product_cost_correction', 'product_category_change') then measured.product_id
            when measured.cause in ('late_customer', 'customer_change') then measured.customer_id
            when measured.cause in ('deleted_item', 'added_item', 'item_correction')
                then measured.order_id || '#' || cast(measured.line_number as varchar(32))
            else measured.order_id
        end as cause_key,
        measured.amount
    from measured
    union all
    select moves.business_date, 'payments', 'total', 'all', moves.cause, moves.cause_key, moves.amount
    from tmp_known_payment_moves as moves
    union all
    select moves.business_date, 'payments', 'payment_channel', moves.payment_channel, moves.cause, moves.cause_key, moves.amount
    from tmp_known_payment_moves as moves
),

per_key as (
    select
        keyed.business_date, keyed.measure, keyed.slice_kind, keyed.slice_value, keyed.cause, keyed.cause_key,
        sum(keyed.amount) as amount
    from keyed
    group by keyed.business_date, keyed.measure, keyed.slice_kind, keyed.slice_value, keyed.cause, keyed.cause_key
),

restated_keys as (
    select per_key.*
    from per_key
    inner join tmp_known_figure_changes as changes
        on changes.business_date = per_key.business_date
        and changes.measure = per_key.measure
        and changes.slice_kind = per_key.slice_kind
        and changes.slice_value = per_key.slice_value
    where changes.old_value is not null
        and per_key.amount <> 0
),

grouped as (
    -- a product or customer change moves many days: kept key by key, so that a period
    -- counts it once; an order or an item belongs to one day: counted per figure
    select
        restated_keys.*,
        case
            when restated_keys.cause in ('late_product', 'product_cost_correction', 'product_category_change', 'late_customer', 'customer_change')
                then restated_keys.cause_key
            else ''
        end as kept_key
    from restated_keys
)

select
    cast(:load_seq as bigint), grouped.business_date, grouped.measure, grouped.slice_kind, grouped.slice_value,
    grouped.cause, count(*), min(grouped.cause_key), max(grouped.cause_key), sum(grouped.amount)
from grouped
group by grouped.business_date, grouped.measure, grouped.slice_kind, grouped.slice_value, grouped.cause, grouped.kept_key;

-- 6. The figures themselves: the moved ones closed, their new values opened.
update known.daily_figures
set known_to = cast(:load_seq as bigint)
from tmp_known_figure_changes as changes
where known.daily_figures.business_date = changes.business_date
    and known.daily_figures.measure = changes.measure
    and known.daily_figures.slice_kind = changes.slice_kind
    and known.daily_figures.slice_value = changes.slice_value
    and known.daily_figures.known_to is null
    and changes.published_value is not null;

insert into known.daily_figures (business_date, measure, slice_kind, slice_value, figure_value, known_from, known_to)
select
    changes.business_date, changes.measure, changes.slice_kind, changes.slice_value, changes.new_value,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_figure_changes as changes;

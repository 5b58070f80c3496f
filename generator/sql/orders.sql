-- The orders feed: order_lifecycles (one row per order: what happens to it,
-- the truth the order, item, payment and shipment feeds report on),
-- order_records (one row per status record, typed) and gen_orders (one row
-- per row written to an orders file: the records plus planted rows,
-- clustered by batch, every column a string).
-- Plants: status updates (same order_id, later updated_at), the unseen status
-- 'on_hold', status synonyms, orders whose first record arrives after their
-- items, payments and shipments, orders of customers not sent yet or never
-- sent, duplicates, invalid rows, and a file in the second batch without the
-- currency column and with upper-case column names.
create or replace table order_lifecycles as
with
order_numbers as (
    select numbers.n as order_num,
    from numbers
    where numbers.n <= getvariable('n_orders')
),

-- orders spread evenly over the days, in id order
placed as (
    select
        order_numbers.order_num,
        getvariable('t0') + seconds(
            (order_numbers.order_num - 1 + draw('orders.placed', order_numbers.order_num))
                * getvariable('days') * 86400 / getvariable('n_orders')
        ) as order_ts,
    from order_numbers
),

customer_choices as (
    select
        placed.*,
        day_of(placed.order_ts) as order_day,
        pre_existing_count(getvariable('n_customers'), 60) as n_pre_existing,
        draw('orders.customer_kind', placed.order_num) as customer_kind,
        draw('orders.customer', placed.order_num) as customer_draw,
    from placed
),

with_customers as (
    select
        customer_choices.order_num,
        customer_choices.order_ts,
        customer_choices.order_day,
        case
            -- never sent: ids past the last customer
            when customer_choices.customer_kind < 0.002
                then getvariable('n_customers') + 1 + floor(5 * customer_choices.customer_draw)::bigint
            -- signed up, but their record arrives in a later batch than the order
            when customer_choices.customer_kind < 0.015
                and known_before(getvariable('n_customers'), customer_choices.n_pre_existing, customer_choices.order_day + 1) < getvariable('n_customers')
                then known_before(getvariable('n_customers'), customer_choices.n_pre_existing, customer_choices.order_day + 1) + 1
                    + floor(
                        customer_choices.customer_draw
                        * (getvariable('n_customers') - known_before(getvariable('n_customers'), customer_choices.n_pre_existing, customer_choices.order_day + 1))
                    )::bigint
            -- a customer delivered before the order's batch
            else 1 + floor(
                customer_choices.customer_draw
                * known_before(getvariable('n_customers'), customer_choices.n_pre_existing, customer_choices.order_day)
            )::bigint
        end as customer_num,
    from customer_choices
),

fates as (
    select
        with_customers.*,
        1 + floor(4 * draw('orders.n_lines', with_customers.order_num))::integer as n_lines,
        case when draw('orders.starts_pending', with_customers.order_num) < 0.3 then 'pending' else 'paid' end as first_status,
        draw('orders.cancelled', with_customers.order_num) < 0.04 as is_cancelled,
        draw('orders.on_hold', with_customers.order_num) < 0.02 as is_on_hold,
        draw('orders.lost', with_customers.order_num) < 0.01 as is_lost,
        draw('orders.returned', with_customers.order_num) < 0.03 as is_returned,
        draw('orders.in_transit_scan', with_customers.order_num) < 0.5 as has_in_transit_scan,
        -- the order's first record arrives one or two batches late
        draw('orders.late', with_customers.order_num) < 0.02 as is_first_record_late,
    from with_customers
),

timed as (
    select
        fates.*,
        fates.order_ts + seconds(60 + 1800 * draw('orders.paid_after', fates.order_num))
            + case when fates.first_status = 'pending' then seconds(3600 * 12 * draw('orders.pending_for', fates.order_num)) else interval 0 second end
            as paid_at,
        fates.order_ts + seconds(3600 * (1 + 29 * draw('orders.cancelled_after', fates.order_num))) as cancelled_at,
        fates.order_ts + seconds(3600 * (1 + 5 * draw('orders.held_after', fates.order_num))) as on_hold_at,
        fates.order_ts + seconds(3600 * (2 + 8 * draw('orders.labelled_after', fates.order_num))) as label_created_at,
    from fates
),

shipped as (
    select
        timed.*,
        greatest(timed.paid_at, timed.label_created_at)
            + seconds(3600 * (12 + 48 * draw('orders.shipped_after', timed.order_num)))
            + case when timed.is_on_hold then interval 24 hour else interval 0 second end
            as shipped_at,
    from timed
),

delivered as (
    select
        shipped.*,
        shipped.shipped_at + seconds(3600 * (6 + 18 * draw('orders.in_transit_after', shipped.order_num))) as in_transit_at,
        shipped.shipped_at + seconds(3600 * (24 + 72 * draw('orders.delivered_after', shipped.order_num))) as delivered_at,
        shipped.shipped_at + interval 7 day as lost_at,
    from shipped
),

lifecycles as (
    select
        delivered.*,
        delivered.delivered_at + seconds(86400 * (2 + 8 * draw('orders.returned_after', delivered.order_num))) as returned_at,
        case
            when delivered.is_first_record_late
                then least(delivered.order_day + 1 + floor(2 * draw('orders.late_by', delivered.order_num))::integer, getvariable('days') - 1)
            else delivered.order_day
        end as first_record_day,
    from delivered
)

select * from lifecycles;

create or replace temp table order_records as
with
events as (
    select order_num, 0 as event_num, order_ts as updated_at, first_status as status, first_record_day as batch_index,
    from order_lifecycles
    union all
    select order_num, 6, paid_at, 'paid', day_of(paid_at),
    from order_lifecycles where first_status = 'pending' and not is_cancelled
    union all
    select order_num, 1, on_hold_at, 'on_hold', day_of(on_hold_at),
    from order_lifecycles where is_on_hold and not is_cancelled
    union all
    select order_num, 2, cancelled_at, 'cancelled', day_of(cancelled_at),
    from order_lifecycles where is_cancelled
    union all
    select order_num, 3, shipped_at, 'shipped', day_of(shipped_at),
    from order_lifecycles where not is_cancelled
    union all
    select order_num, 4, delivered_at, 'delivered', day_of(delivered_at),
    from order_lifecycles where not is_cancelled and not is_lost
    union all
    select order_num, 5, returned_at, 'returned', day_of(returned_at),
    from order_lifecycles where not is_cancelled and not is_lost and is_returned
),

-- events after the last day are not in the lake yet
sent as (
    select
        events.batch_index,
        'main' as file_part,
        hash(getvariable('seed'), 'orders', events.order_num, events.event_num) as sort_key,
        hash(getvariable('seed'), 'orders', events.order_num, events.event_num) as record_key,
        cast(null as varchar) as planted,
        events.order_num,
        order_lifecycles.customer_num,
        order_lifecycles.order_ts,
        events.updated_at,
        events.status,
    from events
    inner join order_lifecycles
        on order_lifecycles.order_num = events.order_num
    where events.updated_at < getvariable('t0') + to_days(getvariable('days')::integer)
)

select * from sent;

-- gen_orders: the rows as the feed writes them (every column a string).
create or replace table gen_orders as
with
planted as (
    select *
    from planted_rows('order_records', ['unparseable_timestamp', 'missing_key', 'missing_required_value'])
),

-- schema drift: a third of the second batch's clean rows come in a file
-- without the optional currency column
filed as (
    select
        planted.* replace (
            case
                when planted.invalid_rule is null
                    and planted.batch_index = least(1, getvariable('days') - 1)
                    and draw('orders.drift', planted.sort_key) < 0.35
                    then 'drift'
                else 'main'
            end as file_part
        ),
    from planted
),

-- clustered by batch: each file's COPY then reads only its batch's row groups
order_rows as (
    select * from filed
    order by batch_index
)

select
    order_rows.batch_index,
    order_rows.file_part,
    order_rows.sort_key,
    order_rows.planted,
    order_rows.invalid_rule,
    ---------- ids
    case
        when order_rows.invalid_rule = 'missing_key' then null
        else render_id('O', order_rows.order_num, 9)
    end as order_id,
    case
        when order_rows.invalid_rule = 'missing_required_value' then null
        else render_id('C', order_rows.customer_num, 7)
    end as customer_id,
    ---------- timestamps
    case
        when order_rows.invalid_rule = 'unparseable_timestamp'
            then pick(getvariable('bad_timestamps'), draw('orders.bad', order_rows.sort_key))
        else render_ts(order_rows.order_ts, draw('orders.order_ts_style', order_rows.record_key))
    end as order_ts,
    render_ts(order_rows.updated_at, draw('orders.updated_at_style', order_rows.record_key)) as updated_at,
    ---------- attributes
    render_code('order_status', order_rows.status, draw('orders.status_style', order_rows.record_key)) as status,
    case when draw('orders.currency_absent', order_rows.record_key) < 0.05 then null else 'USD' end as currency,
from order_rows;

drop table order_records;

-- The shipments feed: shipment_records (one row per status record, typed) and
-- gen_shipments (one row per row written to a shipments file: the records
-- plus planted rows, clustered by batch, every column a string).
-- Plants: status updates of each shipment (label_created, on_hold, shipped,
-- in_transit, delivered / lost / returned), the unseen status 'on_hold',
-- status synonyms ('Dispatched', ' In transit '), shipments of orders whose
-- first record arrives later, duplicates, invalid rows, and a file in the
-- second batch with an extra column (tracking_number).
create or replace temp table shipment_records as
with
shipped_orders as (
    select
        order_lifecycles.*,
        draw('shipments.on_hold', order_lifecycles.order_num) < 0.02 as is_shipment_on_hold,
        pick_weighted(
            ['dhl', 'ups', 'fedex', 'usps', 'dpd', 'local_courier'],
            [0.35, 0.60, 0.80, 0.93, 0.98],
            draw('shipments.carrier', order_lifecycles.order_num)
        ) as carrier,
    from order_lifecycles
    where not order_lifecycles.is_cancelled
),

events as (
    select order_num, 0 as event_num, label_created_at as updated_at, 'label_created' as status, false as is_shipped, false as is_delivered,
    from shipped_orders
    union all
    select order_num, 1, label_created_at + seconds(3600 * (1 + 10 * draw('shipments.held_after', order_num))), 'on_hold', false, false,
    from shipped_orders where is_shipment_on_hold
    union all
    select order_num, 2, shipped_at, 'shipped', true, false,
    from shipped_orders
    union all
    select order_num, 3, in_transit_at, 'in_transit', true, false,
    from shipped_orders where has_in_transit_scan
    union all
    select order_num, 4, delivered_at, 'delivered', true, true,
    from shipped_orders where not is_lost
    union all
    select order_num, 5, lost_at, 'lost', true, false,
    from shipped_orders where is_lost
    union all
    select order_num, 6, returned_at, 'returned', true, true,
    from shipped_orders where is_returned and not is_lost
),

-- events after the last day are not in the lake yet
sent as (
    select
        day_of(events.updated_at) as batch_index,
        'main' as file_part,
        hash(getvariable('seed'), 'shipments', events.order_num, events.event_num) as sort_key,
        hash(getvariable('seed'), 'shipments', events.order_num, events.event_num) as record_key,
        cast(null as varchar) as planted,
        events.order_num,
        events.event_num,
        events.status,
        events.updated_at,
        shipped_orders.carrier,
        case when events.is_shipped then shipped_orders.shipped_at end as shipped_at,
        case when events.is_delivered then shipped_orders.delivered_at end as delivered_at,
    from events
    inner join shipped_orders
        on shipped_orders.order_num = events.order_num
    where events.updated_at < getvariable('t0') + to_days(getvariable('days')::integer)
)

select * from sent;

-- gen_shipments: the rows as the feed writes them (every column a string).
create or replace table gen_shipments as
with
planted as (
    select *
    from planted_rows('shipment_records', ['unparseable_timestamp', 'missing_key', 'missing_required_value'])
),

-- schema drift: a third of the second batch's clean rows come in a file with an extra column
filed as (
    select
        planted.* replace (
            case
                when planted.invalid_rule is null
                    and planted.batch_index = least(1, getvariable('days') - 1)
                    and draw('shipments.drift', planted.sort_key) < 0.35
                    then 'drift'
                else 'main'
            end as file_part
        ),
    from planted
),

-- clustered by batch: each file's COPY then reads only its batch's row groups
shipment_rows as (
    select * from filed
    order by batch_index
)

select
    shipment_rows.batch_index,
    shipment_rows.file_part,
    shipment_rows.sort_key,
    shipment_rows.planted,
    shipment_rows.invalid_rule,
    ---------- ids
    case
        when shipment_rows.invalid_rule = 'missing_key' then null
        else render_id('SHP', shipment_rows.order_num, 9)
    end as shipment_id,
    render_id('O', shipment_rows.order_num, 9) as order_id,
    ---------- attributes
    case
        when shipment_rows.invalid_rule = 'missing_required_value' then null
        else render_code('shipment_status', shipment_rows.status, draw('shipments.status_style', shipment_rows.record_key))
    end as status,
    ---------- timestamps
    case
        when shipment_rows.invalid_rule = 'unparseable_timestamp'
            then pick(getvariable('bad_timestamps'), draw('shipments.bad', shipment_rows.sort_key))
        else render_ts(shipment_rows.updated_at, draw('shipments.updated_at_style', shipment_rows.record_key))
    end as updated_at,
    ---------- optional
    case
        when shipment_rows.event_num = 0 and draw('shipments.carrier_absent', shipment_rows.record_key) < 0.1 then null
        else render_code('carrier', shipment_rows.carrier, draw('shipments.carrier_style', shipment_rows.record_key))
    end as carrier,
    render_ts(shipment_rows.shipped_at, draw('shipments.shipped_at_style', shipment_rows.record_key)) as shipped_at,
    render_ts(shipment_rows.delivered_at, draw('shipments.delivered_at_style', shipment_rows.record_key)) as delivered_at,
    ---------- schema drift: only the drift file carries it
    upper(shipment_rows.carrier) || lpad(shipment_rows.order_num::varchar, 12, '0') as tracking_number,
from shipment_rows;

drop table shipment_records;

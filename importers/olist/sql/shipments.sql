-- lake_shipments: one row per order that reached the carrier or the customer
-- (grain: order_id; Olist reports one parcel per order and no carrier name).
-- Timestamps stay as Olist recorded them, also when they are out of logical
-- order (handed to the carrier before approval, delivered before pickup).
create or replace table lake_shipments as
with
timeline as (
    select * from olist_order_timeline
),

shipped as (
    select *
    from timeline
    where timeline.handed_to_carrier_at is not null
        or timeline.delivered_at is not null
),

contract_rows as (
    select
        shipped.batch_id,
        ---------- ids
        shipped.order_id as shipment_id,
        shipped.order_id as order_id,
        ---------- attributes
        case when shipped.delivered_at is not null then 'delivered' else 'shipped' end as status,
        ---------- timestamps
        iso_ts(greatest(shipped.handed_to_carrier_at, shipped.delivered_at)) as updated_at,
        iso_ts(shipped.handed_to_carrier_at) as shipped_at,
        iso_ts(shipped.delivered_at) as delivered_at
    from shipped
)

select * from contract_rows;

-- lake_orders: one row per Olist order (grain: order_id), in the contract's
-- orders columns. The order's current status is known as of its latest event.
create or replace table lake_orders as
with
timeline as (
    select * from olist_order_timeline
),

contract_rows as (
    select
        timeline.batch_id,
        ---------- ids
        timeline.order_id as order_id,
        timeline.person_id as customer_id,
        ---------- timestamps
        iso_ts(timeline.purchased_at) as order_ts,
        iso_ts(timeline.last_event_at) as updated_at,
        ---------- attributes: Olist's own codes; the pipeline maps synonyms
        timeline.order_status as status,
        'BRL' as currency
    from timeline
)

select * from contract_rows;

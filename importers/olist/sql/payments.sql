-- lake_payments: one row per Olist payment (grain: order_id,
-- payment_sequential). Olist has no payment time: a payment counts as made
-- when the order's payment was approved, or at purchase when it never was.
create or replace table lake_payments as
with
payments as (
    select * from olist_order_payments
),

timeline as (
    select * from olist_order_timeline
),

contract_rows as (
    select
        timeline.batch_id,
        ---------- ids
        payments.order_id || '-' || payments.payment_sequential as payment_id,
        payments.order_id as order_id,
        ---------- attributes: Olist's own codes; the pipeline maps synonyms
        payments.payment_type as payment_method,
        payments.payment_value as amount,
        ---------- timestamps
        iso_ts(coalesce(timeline.approved_at, timeline.purchased_at)) as paid_at,
        iso_ts(coalesce(timeline.approved_at, timeline.purchased_at)) as updated_at
    from payments
    inner join timeline
        on timeline.order_id = payments.order_id
)

select * from contract_rows;

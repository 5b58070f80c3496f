-- lake_order_items: one row per Olist order item (grain: order_id,
-- order_item_id). Olist lists one row per unit: quantity is 1, the price is
-- the unit price, freight is charged per item.
create or replace table lake_order_items as
with
order_items as (
    select * from olist_order_items
),

timeline as (
    select * from olist_order_timeline
),

contract_rows as (
    select
        timeline.batch_id,
        ---------- ids
        order_items.order_id as order_id,
        order_items.order_item_id as line_number,
        order_items.product_id as product_id,
        ---------- numerics, as the source writes them
        '1' as quantity,
        order_items.price as unit_price,
        order_items.freight_value as shipping_amount,
        ---------- timestamps: items never change after the purchase
        iso_ts(timeline.purchased_at) as updated_at
    from order_items
    inner join timeline
        on timeline.order_id = order_items.order_id
)

select * from contract_rows;

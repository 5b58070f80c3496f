-- olist_order_timeline: one row per Olist order (grain: order_id) with its
-- timestamps parsed, the person who placed it and the batch every row of the
-- order goes to: the month of purchase.
create or replace table olist_order_timeline as
with
orders as (
    select * from olist_orders
),

customers as (
    select * from olist_customers
),

parsed as (
    select
        orders.order_id,
        orders.customer_id as olist_customer_id,
        orders.order_status,
        olist_ts(orders.order_purchase_timestamp) as purchased_at,
        olist_ts(orders.order_approved_at) as approved_at,
        olist_ts(orders.order_delivered_carrier_date) as handed_to_carrier_at,
        olist_ts(orders.order_delivered_customer_date) as delivered_at
    from orders
),

-- Olist issues a new customer_id per order; customer_unique_id is the person
with_person as (
    select
        parsed.*,
        customers.customer_unique_id as person_id
    from parsed
    inner join customers
        on customers.customer_id = parsed.olist_customer_id
),

timed as (
    select
        with_person.*,
        batch_of(with_person.purchased_at) as batch_id,
        -- the latest thing known about the order, whatever order the events came in
        greatest(
            with_person.purchased_at,
            with_person.approved_at,
            with_person.handed_to_carrier_at,
            with_person.delivered_at
        ) as last_event_at
    from with_person
)

select * from timed;

-- olist_batch_bounds: one row; where rows that belong to no order go (the
-- first batch, dated at the first purchase: products never sold, customers
-- without an order).
create or replace table olist_batch_bounds as
select
    min(olist_order_timeline.purchased_at) as first_purchased_at
from olist_order_timeline;

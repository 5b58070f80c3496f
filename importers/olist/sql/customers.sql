-- lake_customers: one change record per Olist customer row (grain: Olist
-- customer_id). Olist issues a customer_id per order; the contract's customer
-- is the person (customer_unique_id), so each row is the person's address as
-- given on that order, dated at its purchase: a move becomes a new version.
create or replace table lake_customers as
with
customers as (
    select * from olist_customers
),

timeline as (
    select * from olist_order_timeline
),

bounds as (
    select * from olist_batch_bounds
),

-- a customer row without an order (none in the published data) goes to the first batch
dated as (
    select
        customers.*,
        coalesce(timeline.purchased_at, bounds.first_purchased_at) as given_at
    from customers
    cross join bounds
    left join timeline
        on timeline.olist_customer_id = customers.customer_id
),

contract_rows as (
    select
        batch_of(dated.given_at) as batch_id,
        ---------- ids
        dated.customer_unique_id as customer_id,
        ---------- timestamps
        iso_ts(dated.given_at) as updated_at,
        ---------- attributes
        dated.customer_city as city,
        dated.customer_state as state,
        'BR' as country
    from dated
)

select * from contract_rows;

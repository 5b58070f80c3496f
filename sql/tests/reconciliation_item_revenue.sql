-- reconciliation: for the affected orders, fact gross revenue equals the revenue of
-- the latest live items whose order has arrived, and the item counts match.
with expected as (
    select count(*) as item_count, coalesce(sum(items.quantity * items.unit_price), 0) as gross_revenue
    from history.order_items as items
    inner join history.batch_affected_orders as affected on affected.order_id = items.order_id and affected.batch_id = :batch_id
    inner join history.orders as orders on orders.order_id = items.order_id
    where not items.is_deleted
),

actual as (
    select count(*) as item_count, coalesce(sum(facts.gross_revenue), 0) as gross_revenue
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
)

select 'facts ' || cast(actual.item_count as varchar) || ' rows / ' || cast(actual.gross_revenue as varchar)
    || ' vs items ' || cast(expected.item_count as varchar) || ' rows / ' || cast(expected.gross_revenue as varchar) as failure_key
from expected
cross join actual
where expected.item_count <> actual.item_count or expected.gross_revenue <> actual.gross_revenue

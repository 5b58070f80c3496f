-- reconciliation: for the affected orders, fact_payments totals equal the latest
-- payments whose order has arrived.
with expected as (
    select count(*) as payment_count, coalesce(sum(payments.amount), 0) as amount
    from history.payments as payments
    inner join history.batch_affected_orders as affected on affected.order_id = payments.order_id and affected.batch_id = :batch_id
    inner join history.orders as orders on orders.order_id = payments.order_id
),

actual as (
    select count(*) as payment_count, coalesce(sum(facts.amount), 0) as amount
    from dw.fact_payments as facts
    inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
)

select 'facts ' || cast(actual.payment_count as varchar) || ' / ' || cast(actual.amount as varchar)
    || ' vs payments ' || cast(expected.payment_count as varchar) || ' / ' || cast(expected.amount as varchar) as failure_key
from expected
cross join actual
where expected.payment_count <> actual.payment_count or expected.amount <> actual.amount

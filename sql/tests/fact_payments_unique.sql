-- fact_payments: one row per payment_id among the affected orders.
select duplicates.payment_id as failure_key
from (
    select facts.payment_id
    from dw.fact_payments as facts
    inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
    group by facts.payment_id
    having count(*) > 1
) as duplicates

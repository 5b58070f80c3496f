-- fact_order_fulfillment: one row per order_id among the affected orders.
select duplicates.order_id as failure_key
from (
    select facts.order_id
    from dw.fact_order_fulfillment as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    group by facts.order_id
    having count(*) > 1
) as duplicates

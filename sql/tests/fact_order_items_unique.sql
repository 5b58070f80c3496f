-- fact_order_items: one row per (order_id, line_number) among the affected orders.
select duplicates.order_id || '#' || cast(duplicates.line_number as varchar) as failure_key
from (
    select facts.order_id, facts.line_number
    from dw.fact_order_items as facts
    inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
    group by facts.order_id, facts.line_number
    having count(*) > 1
) as duplicates

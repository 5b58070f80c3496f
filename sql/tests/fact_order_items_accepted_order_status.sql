-- fact_order_items: order statuses outside the recognized vocabulary (affected orders).
select distinct facts.order_status as failure_key
from dw.fact_order_items as facts
inner join history.batch_affected_orders as affected on affected.order_id = facts.order_id and affected.batch_id = :batch_id
where facts.order_status is not null
    and not exists (
        select 1 from audit.vocabulary as vocabulary
        where vocabulary.domain = 'order_status' and vocabulary.code = facts.order_status
    )

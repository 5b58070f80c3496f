-- The days the batch's affected orders' facts carry (order_ts, paid_at), into
-- tmp_calendar_days for sql/dimensions/dim_date.sql, which runs next: dim_date
-- then holds every date key a fact has, whatever its year (the contract allows
-- 1900-01-01 to 9999-12-30), not only the seeded 1990-2059. A transaction of its
-- own after the facts' (the Data API caps one at 40 statements), so it reads the
-- affected orders from their durable table. Parameters: :batch_id.
{{ create_temp_table(tmp_calendar_days) }} as
select cast(facts.order_ts as date) as day_date
from dw.fact_order_items as facts
inner join history.batch_affected_orders as affected
    on affected.batch_id = :batch_id and affected.order_id = facts.order_id
union
select cast(facts.paid_at as date) as day_date
from dw.fact_payments as facts
inner join history.batch_affected_orders as affected
    on affected.batch_id = :batch_id and affected.order_id = facts.order_id;

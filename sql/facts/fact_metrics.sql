-- FactRowsUpserted of fact_order_items and fact_payments: the fact rows of the orders
-- the batch rebuilt. Parameters: :batch_id, :run_id.
delete from audit.metrics
where run_id = :run_id and step = 'BuildFacts' and table_name in ('fact_order_items', 'fact_payments');

insert into audit.metrics (run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at)
select cast(:run_id as varchar(64)), cast(:batch_id as varchar(64)), 'BuildFacts', 'fact_order_items', 'FactRowsUpserted', count(*), 'Count', {{ now }}
from dw.fact_order_items
where dw.fact_order_items.order_id in (select affected.order_id from tmp_affected_orders as affected)
union all
select cast(:run_id as varchar(64)), cast(:batch_id as varchar(64)), 'BuildFacts', 'fact_payments', 'FactRowsUpserted', count(*), 'Count', {{ now }}
from dw.fact_payments
where dw.fact_payments.order_id in (select affected.order_id from tmp_affected_orders as affected);

-- The BuildFacts step's figures, returned to the step (it does not record them: the
-- metrics recorder does, once, for every step). FactRowsUpserted of fact_order_items,
-- fact_payments and fact_order_fulfillment: the fact rows of the orders the batch
-- rebuilt (history.batch_affected_orders, kept over all its attempts, so a re-run
-- after a crash reports the same figure). Parameters: :batch_id.
with affected_orders as (
    select affected.order_id
    from history.batch_affected_orders as affected
    where affected.batch_id = :batch_id
),

order_item_rows as (
    select 'fact_order_items' as table_name, count(*) as metric_value
    from dw.fact_order_items
    where dw.fact_order_items.order_id in (select affected_orders.order_id from affected_orders)
),

payment_rows as (
    select 'fact_payments' as table_name, count(*) as metric_value
    from dw.fact_payments
    where dw.fact_payments.order_id in (select affected_orders.order_id from affected_orders)
),

fulfillment_rows as (
    select 'fact_order_fulfillment' as table_name, count(*) as metric_value
    from dw.fact_order_fulfillment
    where dw.fact_order_fulfillment.order_id in (select affected_orders.order_id from affected_orders)
),

fact_rows as (
    select order_item_rows.table_name, order_item_rows.metric_value from order_item_rows
    union all
    select payment_rows.table_name, payment_rows.metric_value from payment_rows
    union all
    select fulfillment_rows.table_name, fulfillment_rows.metric_value from fulfillment_rows
)

select fact_rows.table_name, 'FactRowsUpserted' as metric, fact_rows.metric_value
from fact_rows
order by fact_rows.table_name

-- history.batch_affected_orders: the orders whose facts this batch rebuilds (grain:
-- batch_id, order_id): every order the batch's rows touch or its withdrawn records
-- touched, the orders its children's latest records named before (a payment moved
-- to another order), plus the orders of customers and products whose history the
-- batch changed at or before order_ts (their facts are re-pointed to the version
-- valid at order_ts; earlier orders keep theirs). The changed keys come from the
-- batch's ledger, and the orders are added to it, never taken out: an attempt after
-- a crash rebuilds (and ValidateBatch tests) what an earlier attempt changed.
-- Runs after the history files, which leave tmp_*_withdrawn and tmp_*_previous_orders.
-- Parameters: :batch_id.

-- The items of products whose history changed, first and apart: inside the query
-- below DuckDB joined the orders with the changed keys on the inequality first (a
-- cross product of millions of rows) instead of probing the items with the keys.
{{ create_temp_table(tmp_changed_product_items) }} as
select items.order_id, changed.changed_from
from history.order_items as items
inner join history.batch_changed_keys as changed
    on changed.batch_id = :batch_id and changed.entity = 'product' and changed.natural_key = items.product_id;

-- Every order the batch touched, and whether it touched more than the order row
-- and its shipments (is_item_level: its items' attributed values may have moved).
{{ create_temp_table(tmp_touched_orders) }} as
select staged.order_id, false as is_item_level from staging.orders as staged
union all
select staged.order_id, false from staging.shipments as staged
union all
select withdrawn.order_id, false from tmp_shipments_withdrawn as withdrawn
union all
select previous.order_id, false from tmp_shipments_previous_orders as previous
union all
select staged.order_id, true from staging.order_items as staged
union all
select staged.order_id, true from staging.payments as staged
union all
select withdrawn.order_id, true from tmp_orders_withdrawn as withdrawn
union all
select withdrawn.order_id, true from tmp_order_items_withdrawn as withdrawn
union all
select withdrawn.order_id, true from tmp_payments_withdrawn as withdrawn
union all
select previous.order_id, true from tmp_payments_previous_orders as previous
union all
select orders.order_id, true
from history.orders as orders
inner join history.batch_changed_keys as changed
    on changed.batch_id = :batch_id and changed.entity = 'customer' and changed.natural_key = orders.customer_id
where orders.order_ts >= changed.changed_from
union all
select product_items.order_id, true
from tmp_changed_product_items as product_items
inner join history.orders as orders
    on orders.order_id = product_items.order_id
where orders.order_ts >= product_items.changed_from;

insert into history.batch_affected_orders (batch_id, order_id)
with touched_orders as (
    select distinct touched.order_id from tmp_touched_orders as touched
)

select cast(:batch_id as varchar(64)), touched_orders.order_id
from touched_orders
where not exists (
    select 1 from history.batch_affected_orders as known
    where known.batch_id = :batch_id and known.order_id = touched_orders.order_id
);

insert into history.batch_item_orders (batch_id, order_id)
with item_orders as (
    select distinct touched.order_id from tmp_touched_orders as touched where touched.is_item_level
)

select cast(:batch_id as varchar(64)), item_orders.order_id
from item_orders
where not exists (
    select 1 from history.batch_item_orders as known
    where known.batch_id = :batch_id and known.order_id = item_orders.order_id
);

-- The batch's affected orders for the fact files below, as a table of their own:
-- the planner then knows how many there are (behind a parameter filter it guessed,
-- and joined the dimensions the slow way round).
{{ create_temp_table(tmp_affected_orders) }} as
select affected.order_id from history.batch_affected_orders as affected where affected.batch_id = :batch_id;

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
insert into history.batch_affected_orders (batch_id, order_id)
with changed_keys as (
    select changed.entity, changed.natural_key, min(changed.changed_from) as changed_from
    from history.batch_changed_keys as changed
    where changed.batch_id = :batch_id
    group by changed.entity, changed.natural_key
),

touched_orders as (
    select staged.order_id from staging.orders as staged
    union
    select staged.order_id from staging.order_items as staged
    union
    select staged.order_id from staging.payments as staged
    union
    select staged.order_id from staging.shipments as staged
    union
    select withdrawn.order_id from tmp_orders_withdrawn as withdrawn
    union
    select withdrawn.order_id from tmp_order_items_withdrawn as withdrawn
    union
    select withdrawn.order_id from tmp_payments_withdrawn as withdrawn
    union
    select withdrawn.order_id from tmp_shipments_withdrawn as withdrawn
    union
    select previous.order_id from tmp_payments_previous_orders as previous
    union
    select previous.order_id from tmp_shipments_previous_orders as previous
    union
    select orders.order_id
    from history.orders as orders
    inner join changed_keys
        on changed_keys.entity = 'customer' and changed_keys.natural_key = orders.customer_id
    where orders.order_ts >= changed_keys.changed_from
    union
    select items.order_id
    from history.order_items as items
    inner join changed_keys
        on changed_keys.entity = 'product' and changed_keys.natural_key = items.product_id
    inner join history.orders as orders
        on orders.order_id = items.order_id
    where orders.order_ts >= changed_keys.changed_from
)

select :batch_id, touched_orders.order_id
from touched_orders
where not exists (
    select 1 from history.batch_affected_orders as known
    where known.batch_id = :batch_id and known.order_id = touched_orders.order_id
);

-- Scope of the reporting backfill (a warehouse built before the reporting layer,
-- functions/core/steps/buildMarts.ts backfillReporting): every order, customer and
-- product key, added to the ledger of the batch the backfilled load is attributed
-- to. The ledger only grows: a later forced re-run of that batch rebuilds more
-- orders than it must, never fewer. Parameters: :batch_id.
insert into history.batch_affected_orders (batch_id, order_id)
select cast(:batch_id as varchar(64)), orders.order_id
from history.orders as orders
where not exists (
    select 1 from history.batch_affected_orders as known
    where known.batch_id = :batch_id and known.order_id = orders.order_id
);

insert into history.batch_item_orders (batch_id, order_id)
select cast(:batch_id as varchar(64)), orders.order_id
from history.orders as orders
where not exists (
    select 1 from history.batch_item_orders as known
    where known.batch_id = :batch_id and known.order_id = orders.order_id
);

insert into history.batch_changed_keys (batch_id, entity, natural_key, changed_from)
with every_key as (
    select 'customer' as entity, dims.customer_id as natural_key, min(dims.valid_from) as changed_from
    from dw.dim_customers as dims
    group by dims.customer_id
    union all
    select 'product' as entity, dims.product_id as natural_key, min(dims.valid_from) as changed_from
    from dw.dim_products as dims
    group by dims.product_id
)

select cast(:batch_id as varchar(64)), every_key.entity, every_key.natural_key, every_key.changed_from
from every_key
where not exists (
    select 1 from history.batch_changed_keys as known
    where known.batch_id = :batch_id and known.entity = every_key.entity and known.natural_key = every_key.natural_key
);

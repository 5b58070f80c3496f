-- source freshness: hours since the newest change received for a table.
-- Parameters: :table_name, :threshold_hours.
with newest as (
    select 'customers' as table_name, max(changes.updated_at) as newest_at from history.customer_changes as changes
    union all
    select 'products', max(changes.updated_at) from history.product_changes as changes
    union all
    select 'orders', max(orders.updated_at) from history.orders as orders
    union all
    select 'order_items', max(items.updated_at) from history.order_items as items
    union all
    select 'payments', max(payments.version_ts) from history.payments as payments
    union all
    select 'shipments', max(shipments.updated_at) from history.shipments as shipments
),

aged as (
    select
        newest.table_name,
        newest.newest_at,
        {{ hours_between(newest.newest_at, {{ now }}) }} as age_hours
    from newest
    where newest.newest_at is not null
)

select aged.table_name || ': newest change ' || cast(aged.newest_at as varchar) || ' is '
    || cast(aged.age_hours as varchar) || ' h old' as failure_key
from aged
where aged.table_name = :table_name and aged.age_hours > :threshold_hours

-- known.loads and known.load_tables: this load's number and what it received,
-- kept apart from the audit tables a later run of the same batch rewrites. Runs
-- last: it counts the versions the other files closed and opened.
-- Parameters: :load_seq, :run_id, :batch_id.
insert into known.load_tables (
    load_seq, run_id, batch_id, table_name, files, raw_rows, silver_rows, quarantined_rows, staged_rows, newest_change_at
)
with newest as (
    select cast('customers' as varchar(32)) as table_name, max(staged.updated_at) as newest_change_at from staging.customers as staged
    union all
    select 'products', max(staged.updated_at) from staging.products as staged
    union all
    select 'orders', max(staged.updated_at) from staging.orders as staged
    union all
    select 'order_items', max(staged.updated_at) from staging.order_items as staged
    union all
    select 'payments', max(coalesce(staged.updated_at, staged.paid_at)) from staging.payments as staged
    union all
    select 'shipments', max(staged.updated_at) from staging.shipments as staged
)

select
    cast(:load_seq as bigint), loads.run_id, loads.batch_id, loads.table_name, loads.files, loads.raw_rows,
    loads.silver_rows, loads.quarantined_rows, loads.staged_rows, newest.newest_change_at
from audit.table_loads as loads
left join newest
    on newest.table_name = loads.table_name
where loads.run_id = :run_id;

insert into known.loads (
    load_seq, run_id, batch_id, warnings, versions_opened, versions_closed, restatements, recorded_at
)
with versions as (
    select
        sum(case when changed.side = 'opened' then 1 else 0 end) as opened,
        sum(case when changed.side = 'closed' then 1 else 0 end) as closed
    from (
        select diff.side from tmp_known_items_diff as diff
        union all select diff.side from tmp_known_payments_diff as diff
        union all select diff.side from tmp_known_orders_diff as diff
        union all
        select case when dims.known_from = cast(:load_seq as bigint) then 'opened' else 'closed' end
        from known.customers as dims
        where dims.known_from = cast(:load_seq as bigint) or dims.known_to = cast(:load_seq as bigint)
        union all
        select case when dims.known_from = cast(:load_seq as bigint) then 'opened' else 'closed' end
        from known.products as dims
        where dims.known_from = cast(:load_seq as bigint) or dims.known_to = cast(:load_seq as bigint)
    ) as changed
),

warned as (
    select count(*) as n from audit.warnings as warnings where warnings.run_id = :run_id
),

restated as (
    select count(*) as n from tmp_known_figure_changes as changes where changes.old_value is not null
)

select
    cast(:load_seq as bigint), cast(:run_id as varchar(64)), cast(:batch_id as varchar(64)), warned.n,
    coalesce(versions.opened, 0), coalesce(versions.closed, 0), restated.n, {{ now }}
from warned
cross join versions
cross join restated;

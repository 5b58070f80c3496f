-- history.shipment_changes and history.shipments: every distinct record each batch brought,
-- and, derived from them, the latest record per shipment_id.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Leaves tmp_shipments_withdrawn, tmp_shipments_previous_orders for the waiting rows and the affected orders.
-- Parameters: :batch_id.

-- 1. The records this batch brought before (a crash, or a forced re-run over files
-- that changed since) are withdrawn; their keys (and orders) are kept.
{{ create_temp_table(tmp_shipments_withdrawn) }} as
select distinct changes.shipment_id, changes.order_id
from history.shipment_changes as changes
where changes.batch_id = :batch_id;

delete from history.shipment_changes where history.shipment_changes.batch_id = :batch_id;

-- 2. The batch's distinct records (grain: key, version, row_hash).
insert into history.shipment_changes (shipment_id, order_id, status, updated_at, carrier, shipped_at, delivered_at, row_hash, batch_id)
select staged_distinct.shipment_id, staged_distinct.order_id, staged_distinct.status, staged_distinct.updated_at, staged_distinct.carrier, staged_distinct.shipped_at, staged_distinct.delivered_at, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        row_number() over (
            partition by staged.shipment_id, staged.updated_at, staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.shipments as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

-- 3. The orders the touched keys' latest records named before this batch: a record
-- may move to another order, whose facts then change too.
{{ create_temp_table(tmp_shipments_previous_orders) }} as
select distinct latest.order_id
from history.shipments as latest
inner join (
    select staged.shipment_id from staging.shipments as staged
    union
    select withdrawn.shipment_id from tmp_shipments_withdrawn as withdrawn
) as touched
    on touched.shipment_id = latest.shipment_id;

-- 4. The incoming latest records: for a withdrawn key, the latest of what every batch
-- brought (this one included), which replaces what history holds, or removes it when
-- no record is left (row_hash null); for the batch's other keys, the batch's latest,
-- which wins only when newer.
{{ create_temp_table(tmp_shipments_latest) }} as
with withdrawn_keys as (
    select distinct withdrawn.shipment_id from tmp_shipments_withdrawn as withdrawn
),

rederived as (
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.shipment_id
                order by changes.updated_at desc, changes.row_hash desc
            ) as recency_rank
        from history.shipment_changes as changes
        inner join withdrawn_keys
            on withdrawn_keys.shipment_id = changes.shipment_id
    ) as ranked
    where ranked.recency_rank = 1
),

staged_latest as (
    select ranked.*
    from (
        select
            staged.*,
            row_number() over (
                partition by staged.shipment_id
                order by staged.updated_at desc, staged.row_hash desc
            ) as recency_rank
        from staging.shipments as staged
    ) as ranked
    where ranked.recency_rank = 1
        and not exists (select 1 from withdrawn_keys where withdrawn_keys.shipment_id = ranked.shipment_id)
)

select
    withdrawn_keys.shipment_id, rederived.order_id, rederived.status, rederived.updated_at, rederived.carrier, rederived.shipped_at, rederived.delivered_at,
    rederived.row_hash,
    rederived.batch_id,
    true as replaces
from withdrawn_keys
left join rederived
    on rederived.shipment_id = withdrawn_keys.shipment_id
union all
select
    staged_latest.shipment_id, staged_latest.order_id, staged_latest.status, staged_latest.updated_at, staged_latest.carrier, staged_latest.shipped_at, staged_latest.delivered_at,
    staged_latest.row_hash,
    cast(:batch_id as varchar(64)) as batch_id,
    false as replaces
from staged_latest;

-- 5. Apply them. A join (DELETE ... USING), not a correlated EXISTS: DuckDB
-- decorrelates the EXISTS with its OR into a grouping of the whole history table
-- (O(history) time and memory); the join only probes the history with the batch's keys.
delete from history.shipments
using tmp_shipments_latest as incoming
where incoming.shipment_id = history.shipments.shipment_id
    and (
        incoming.replaces
        or incoming.updated_at > history.shipments.updated_at
        or (incoming.updated_at = history.shipments.updated_at and incoming.row_hash > history.shipments.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.shipments (shipment_id, order_id, status, updated_at, carrier, shipped_at, delivered_at, row_hash, batch_id)
select incoming.shipment_id, incoming.order_id, incoming.status, incoming.updated_at, incoming.carrier, incoming.shipped_at, incoming.delivered_at, incoming.row_hash, incoming.batch_id
from tmp_shipments_latest as incoming
where incoming.row_hash is not null
    and not exists (
        select 1
        from (
            select known.shipment_id
            from history.shipments as known
            inner join tmp_shipments_latest as touched on touched.shipment_id = known.shipment_id
        ) as present
        where present.shipment_id = incoming.shipment_id
    );

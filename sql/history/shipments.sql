-- history.shipments: the latest record per shipment_id.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Parameters: :batch_id.
drop table if exists tmp_shipments_latest;

create temp table tmp_shipments_latest as
select
        ranked.shipment_id,
        ranked.order_id,
        ranked.status,
        ranked.updated_at,
        ranked.carrier,
        ranked.shipped_at,
        ranked.delivered_at,
        ranked.row_hash
from (
    select
        staged.*,
        row_number() over (
            partition by staged.shipment_id
            order by staged.updated_at desc, staged.row_hash desc
        ) as recency_rank
    from staging.shipments as staged
) as ranked
where ranked.recency_rank = 1;

-- A join (DELETE ... USING), not a correlated EXISTS: DuckDB decorrelates the
-- EXISTS with its OR into a grouping of the whole history table (O(history)
-- time and memory); the join only probes the history with the batch's keys.
delete from history.shipments
using tmp_shipments_latest as incoming
where incoming.shipment_id = history.shipments.shipment_id
    and (
        incoming.updated_at > history.shipments.updated_at
        or (incoming.updated_at = history.shipments.updated_at and incoming.row_hash > history.shipments.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.shipments (shipment_id, order_id, status, updated_at, carrier, shipped_at, delivered_at, row_hash, batch_id)
select incoming.shipment_id, incoming.order_id, incoming.status, incoming.updated_at, incoming.carrier, incoming.shipped_at, incoming.delivered_at, incoming.row_hash, :batch_id
from tmp_shipments_latest as incoming
where not exists (
    select 1
    from (
        select known.shipment_id
        from history.shipments as known
        inner join tmp_shipments_latest as touched on touched.shipment_id = known.shipment_id
    ) as present
    where present.shipment_id = incoming.shipment_id
);

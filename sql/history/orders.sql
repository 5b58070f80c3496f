-- history.orders: the latest record per order_id.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Parameters: :batch_id.
drop table if exists tmp_orders_latest;

create temp table tmp_orders_latest as
select
        ranked.order_id,
        ranked.customer_id,
        ranked.order_ts,
        ranked.updated_at,
        ranked.status,
        ranked.currency,
        ranked.row_hash
from (
    select
        staged.*,
        row_number() over (
            partition by staged.order_id
            order by staged.updated_at desc, staged.row_hash desc
        ) as recency_rank
    from staging.orders as staged
) as ranked
where ranked.recency_rank = 1;

-- A join (DELETE ... USING), not a correlated EXISTS: DuckDB decorrelates the
-- EXISTS with its OR into a grouping of the whole history table (O(history)
-- time and memory); the join only probes the history with the batch's keys.
delete from history.orders
using tmp_orders_latest as incoming
where incoming.order_id = history.orders.order_id
    and (
        incoming.updated_at > history.orders.updated_at
        or (incoming.updated_at = history.orders.updated_at and incoming.row_hash > history.orders.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.orders (order_id, customer_id, order_ts, updated_at, status, currency, row_hash, batch_id)
select incoming.order_id, incoming.customer_id, incoming.order_ts, incoming.updated_at, incoming.status, incoming.currency, incoming.row_hash, :batch_id
from tmp_orders_latest as incoming
where not exists (
    select 1
    from (
        select known.order_id
        from history.orders as known
        inner join tmp_orders_latest as touched on touched.order_id = known.order_id
    ) as present
    where present.order_id = incoming.order_id
);

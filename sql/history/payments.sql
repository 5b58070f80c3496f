-- history.payments: the latest record per payment_id; a payment without updated_at dates from paid_at.
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Parameters: :batch_id.
drop table if exists tmp_payments_latest;

create temp table tmp_payments_latest as
select
        ranked.payment_id,
        ranked.order_id,
        ranked.payment_method,
        ranked.amount,
        ranked.paid_at,
        ranked.updated_at,
        ranked.version_ts,
        ranked.row_hash
from (
    select
        staged.*,
        coalesce(staged.updated_at, staged.paid_at) as version_ts,
        row_number() over (
            partition by staged.payment_id
            order by coalesce(staged.updated_at, staged.paid_at) desc, staged.row_hash desc
        ) as recency_rank
    from staging.payments as staged
) as ranked
where ranked.recency_rank = 1;

-- A join (DELETE ... USING), not a correlated EXISTS: DuckDB decorrelates the
-- EXISTS with its OR into a grouping of the whole history table (O(history)
-- time and memory); the join only probes the history with the batch's keys.
delete from history.payments
using tmp_payments_latest as incoming
where incoming.payment_id = history.payments.payment_id
    and (
        incoming.version_ts > history.payments.version_ts
        or (incoming.version_ts = history.payments.version_ts and incoming.row_hash > history.payments.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.payments (payment_id, order_id, payment_method, amount, paid_at, updated_at, version_ts, row_hash, batch_id)
select incoming.payment_id, incoming.order_id, incoming.payment_method, incoming.amount, incoming.paid_at, incoming.updated_at, incoming.version_ts, incoming.row_hash, :batch_id
from tmp_payments_latest as incoming
where not exists (
    select 1
    from (
        select known.payment_id
        from history.payments as known
        inner join tmp_payments_latest as touched on touched.payment_id = known.payment_id
    ) as present
    where present.payment_id = incoming.payment_id
);

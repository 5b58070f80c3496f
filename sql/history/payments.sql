-- history.payment_changes and history.payments: every distinct record each batch brought,
-- and, derived from them, the latest record per payment_id (a payment without updated_at
-- dates from paid_at).
-- Newest wins by event time, then by greatest row_hash, so the result does not
-- depend on arrival order and an older record arriving late changes nothing.
-- Leaves tmp_payments_withdrawn, tmp_payments_previous_orders for the waiting rows and the affected orders.
-- Parameters: :batch_id.

-- 1. The records this batch brought before (a crash, or a forced re-run over files
-- that changed since) are withdrawn; their keys (and orders) are kept.
{{ create_temp_table(tmp_payments_withdrawn) }} as
select distinct changes.payment_id, changes.order_id
from history.payment_changes as changes
where changes.batch_id = :batch_id;

delete from history.payment_changes where history.payment_changes.batch_id = :batch_id;

-- 2. The batch's distinct records (grain: key, version, row_hash).
insert into history.payment_changes (payment_id, order_id, payment_method, amount, paid_at, updated_at, version_ts, row_hash, batch_id)
select staged_distinct.payment_id, staged_distinct.order_id, staged_distinct.payment_method, staged_distinct.amount, staged_distinct.paid_at, staged_distinct.updated_at, staged_distinct.version_ts, staged_distinct.row_hash, :batch_id
from (
    select
        staged.*,
        coalesce(staged.updated_at, staged.paid_at) as version_ts,
        row_number() over (
            partition by staged.payment_id, coalesce(staged.updated_at, staged.paid_at), staged.row_hash
            order by staged.source_file, staged.source_row
        ) as arrival_rank
    from staging.payments as staged
) as staged_distinct
where staged_distinct.arrival_rank = 1;

-- 3. The orders the touched keys' latest records named before this batch: a record
-- may move to another order, whose facts then change too.
{{ create_temp_table(tmp_payments_previous_orders) }} as
select distinct latest.order_id
from history.payments as latest
inner join (
    select staged.payment_id from staging.payments as staged
    union
    select withdrawn.payment_id from tmp_payments_withdrawn as withdrawn
) as touched
    on touched.payment_id = latest.payment_id;

-- 4. The incoming latest records: for a withdrawn key, the latest of what every batch
-- brought (this one included), which replaces what history holds, or removes it when
-- no record is left (row_hash null); for the batch's other keys, the batch's latest,
-- which wins only when newer.
{{ create_temp_table(tmp_payments_latest) }} as
with withdrawn_keys as (
    select distinct withdrawn.payment_id from tmp_payments_withdrawn as withdrawn
),

rederived as (
    select ranked.*
    from (
        select
            changes.*,
            row_number() over (
                partition by changes.payment_id
                order by changes.version_ts desc, changes.row_hash desc
            ) as recency_rank
        from history.payment_changes as changes
        inner join withdrawn_keys
            on withdrawn_keys.payment_id = changes.payment_id
    ) as ranked
    where ranked.recency_rank = 1
),

staged_latest as (
    select ranked.*
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
    where ranked.recency_rank = 1
        and not exists (select 1 from withdrawn_keys where withdrawn_keys.payment_id = ranked.payment_id)
)

select
    withdrawn_keys.payment_id, rederived.order_id, rederived.payment_method, rederived.amount, rederived.paid_at, rederived.updated_at, rederived.version_ts,
    rederived.row_hash,
    rederived.batch_id,
    true as replaces
from withdrawn_keys
left join rederived
    on rederived.payment_id = withdrawn_keys.payment_id
union all
select
    staged_latest.payment_id, staged_latest.order_id, staged_latest.payment_method, staged_latest.amount, staged_latest.paid_at, staged_latest.updated_at, staged_latest.version_ts,
    staged_latest.row_hash,
    cast(:batch_id as varchar(64)) as batch_id,
    false as replaces
from staged_latest;

-- 5. Apply them. A join (DELETE ... USING), not a correlated EXISTS: DuckDB
-- decorrelates the EXISTS with its OR into a grouping of the whole history table
-- (O(history) time and memory); the join only probes the history with the batch's keys.
delete from history.payments
using tmp_payments_latest as incoming
where incoming.payment_id = history.payments.payment_id
    and (
        incoming.replaces
        or incoming.version_ts > history.payments.version_ts
        or (incoming.version_ts = history.payments.version_ts and incoming.row_hash > history.payments.row_hash)
    );

-- Insert what is new or newer: the keys still present are found by joining the
-- history with the batch's keys, which skips the row groups that cannot match (a
-- plain NOT EXISTS hashes the whole history table to probe it with the batch).
insert into history.payments (payment_id, order_id, payment_method, amount, paid_at, updated_at, version_ts, row_hash, batch_id)
select incoming.payment_id, incoming.order_id, incoming.payment_method, incoming.amount, incoming.paid_at, incoming.updated_at, incoming.version_ts, incoming.row_hash, incoming.batch_id
from tmp_payments_latest as incoming
where incoming.row_hash is not null
    and not exists (
        select 1
        from (
            select known.payment_id
            from history.payments as known
            inner join tmp_payments_latest as touched on touched.payment_id = known.payment_id
        ) as present
        where present.payment_id = incoming.payment_id
    );

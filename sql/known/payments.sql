-- known.payments: the payments of the orders in tmp_known_item_scope (see
-- known/orders.sql) as dw.fact_payments now holds them, with the payment channel
-- and the order's customer; changed versions closed, new ones opened.
-- Parameters: :load_seq.
drop table if exists tmp_known_payments_diff;

create temp table tmp_known_payments_diff as
with now_rows as (
    select
        facts.payment_id,
        facts.order_id,
        facts.paid_at,
        cast(facts.paid_at as date) as paid_date,
        payment_methods.payment_method_code as payment_method,
        payment_methods.payment_channel,
        customers.customer_id,
        facts.amount
    from dw.fact_payments as facts
    inner join tmp_known_item_scope as item_scope
        on item_scope.order_id = facts.order_id
    inner join dw.dim_payment_methods as payment_methods
        on payment_methods.payment_method_key = facts.payment_method_key
    inner join dw.dim_customers as customers
        on customers.customer_sk = facts.customer_sk
),

known_rows as (
    select
        stored.payment_id,
        stored.order_id,
        stored.paid_at,
        stored.paid_date,
        stored.payment_method,
        stored.payment_channel,
        stored.customer_id,
        stored.amount
    from known.payments as stored
    inner join tmp_known_item_scope as item_scope
        on item_scope.order_id = stored.order_id
    where stored.known_to is null
)

-- the changed versions, computed once: closed (known as current, no longer what
-- dw holds) and opened (what dw holds, not yet known as current); joined on the
-- key and compared column by column (derived columns follow the ones compared)
select cast('closed' as varchar(8)) as side, known_rows.*
from known_rows
left join now_rows
    on now_rows.payment_id = known_rows.payment_id
    and now_rows.order_id = known_rows.order_id
where now_rows.payment_id is null
    or known_rows.paid_at <> now_rows.paid_at
    or known_rows.payment_method <> now_rows.payment_method
    or known_rows.payment_channel <> now_rows.payment_channel
    or known_rows.customer_id <> now_rows.customer_id
    or known_rows.amount <> now_rows.amount
union all
select 'opened', now_rows.*
from now_rows
left join known_rows
    on known_rows.payment_id = now_rows.payment_id
    and known_rows.order_id = now_rows.order_id
where known_rows.payment_id is null
    or now_rows.paid_at <> known_rows.paid_at
    or now_rows.payment_method <> known_rows.payment_method
    or now_rows.payment_channel <> known_rows.payment_channel
    or now_rows.customer_id <> known_rows.customer_id
    or now_rows.amount <> known_rows.amount;

update known.payments
set known_to = cast(:load_seq as bigint)
from tmp_known_payments_diff as closed
where closed.side = 'closed'
    and known.payments.payment_id = closed.payment_id
    and known.payments.order_id = closed.order_id
    and known.payments.known_to is null;

insert into known.payments (
    payment_id, order_id, paid_at, paid_date, payment_method, payment_channel,
    customer_id, amount,
    known_from, known_to
)
select
    opened.payment_id, opened.order_id, opened.paid_at, opened.paid_date, opened.payment_method, opened.payment_channel,
    opened.customer_id, opened.amount,
    cast(:load_seq as bigint), cast(null as bigint)
from tmp_known_payments_diff as opened
where opened.side = 'opened';

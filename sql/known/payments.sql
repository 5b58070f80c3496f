-- known.payments: the affected orders' payments as dw.fact_payments now holds
-- them, with the payment channel and the order's customer; changed versions
-- closed, new ones opened. Parameters: :load_seq.
drop table if exists tmp_known_payments_now;

create temp table tmp_known_payments_now as
select
    facts.payment_id,
    facts.order_id,
    facts.paid_at,
    cast(facts.paid_at as date) as paid_date,
    payment_methods.payment_method_code as payment_method,
    payment_methods.payment_channel,
    customers.customer_id,
    facts.customer_sk,
    facts.amount
from dw.fact_payments as facts
inner join staging.affected_orders as affected
    on affected.order_id = facts.order_id
inner join dw.dim_payment_methods as payment_methods
    on payment_methods.payment_method_key = facts.payment_method_key
inner join dw.dim_customers as customers
    on customers.customer_sk = facts.customer_sk;

update known.payments
set known_to = cast(:load_seq as bigint)
from (
    select
        known_rows.payment_id, known_rows.order_id, known_rows.paid_at, known_rows.paid_date,
        known_rows.payment_method, known_rows.payment_channel, known_rows.customer_id, known_rows.customer_sk,
        known_rows.amount
    from known.payments as known_rows
    inner join staging.affected_orders as affected
        on affected.order_id = known_rows.order_id
    where known_rows.known_to is null
    except
    select * from tmp_known_payments_now
) as closed
where known.payments.payment_id = closed.payment_id
    and known.payments.order_id = closed.order_id
    and known.payments.known_to is null;

insert into known.payments (
    payment_id, order_id, paid_at, paid_date, payment_method, payment_channel, customer_id, customer_sk, amount,
    known_from, known_to
)
select
    opened.payment_id, opened.order_id, opened.paid_at, opened.paid_date, opened.payment_method,
    opened.payment_channel, opened.customer_id, opened.customer_sk, opened.amount,
    cast(:load_seq as bigint), cast(null as bigint)
from (
    select * from tmp_known_payments_now
    except
    select
        known_rows.payment_id, known_rows.order_id, known_rows.paid_at, known_rows.paid_date,
        known_rows.payment_method, known_rows.payment_channel, known_rows.customer_id, known_rows.customer_sk,
        known_rows.amount
    from known.payments as known_rows
    inner join staging.affected_orders as affected
        on affected.order_id = known_rows.order_id
    where known_rows.known_to is null
) as opened;

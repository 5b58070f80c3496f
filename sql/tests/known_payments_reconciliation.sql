-- known.payments (what the payment channel figures read): for the affected
-- orders, one current version per fact_payments row, same amount and channel.
with facts as (
    select facts.payment_id, facts.order_id, facts.amount, methods.payment_channel
    from dw.fact_payments as facts
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = facts.order_id
    inner join dw.dim_payment_methods as methods on methods.payment_method_key = facts.payment_method_key
),

stored as (
    select payments.*
    from known.payments as payments
    inner join history.batch_affected_orders as affected on affected.batch_id = :batch_id and affected.order_id = payments.order_id
    where payments.known_to is null
)

-- one pass over both sides: a row on one side only is missing or extra, a row on
-- both that disagrees differs
select
    {{ reconciliation_failure(facts.payment_id, stored.payment_id) }} || coalesce(facts.payment_id, stored.payment_id) as failure_key
from facts
full outer join stored
    on stored.payment_id = facts.payment_id and stored.order_id = facts.order_id
where stored.payment_id is null
    or facts.payment_id is null
    or (
        stored.amount <> facts.amount or stored.payment_channel <> facts.payment_channel
    )

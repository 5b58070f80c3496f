-- Report section payment_channels: payments per payment channel, by paid date,
-- exactly as fact_payments held them at load :known_seq (a payment's channel is
-- its own: no attribution). Parameters: :known_seq, :from_date, :to_date.
with payments as (
    select known_rows.*
    from known.payments as known_rows
    where {{ known_at(known_rows) }}
        and known_rows.paid_date >= cast(:from_date as date)
        and known_rows.paid_date <= cast(:to_date as date)
)

select
    payments.payment_channel,
    count(*) as payments,
    sum(payments.amount) as amount
from payments
group by payments.payment_channel
order by sum(payments.amount) desc, payments.payment_channel

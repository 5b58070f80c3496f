-- dim_payment_methods: one row per payment method code, the known ones (seed)
-- and every other code the payments carry (channel 'other'), unknown included.
with known_methods as (
    select * from {{ ref('payment_methods') }}
),

seen_methods as (
    select distinct payments.payment_method as payment_method_code
    from {{ ref('payments_current') }} as payments
),

unseen_methods as (
    select
        seen_methods.payment_method_code,
        seen_methods.payment_method_code as payment_method_name,
        'other' as payment_channel
    from seen_methods
    left join known_methods
        on known_methods.payment_method_code = seen_methods.payment_method_code
    where known_methods.payment_method_code is null
),

members as (
    select payment_method_code, payment_method_name, payment_channel, true as is_recognized from known_methods
    union all
    select payment_method_code, payment_method_name, payment_channel, false as is_recognized from unseen_methods
)

select
    md5(members.payment_method_code) as payment_method_key,
    members.*
from members

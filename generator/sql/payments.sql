-- The payments feed: payment_records (one row per payment, typed) and
-- gen_payments (one row per row written to a payments file: the records plus
-- planted rows, clustered by batch, every column a string).
-- Plants: orders paid in two payments (a gift card or voucher plus another
-- method), the unseen method 'boleto', method synonyms ('CARD', ' cod '),
-- payments of orders whose first record arrives later, duplicates, invalid
-- rows, and a file in the third batch without the optional updated_at column.
create or replace temp table payment_records as
with
paid_orders as (
    select
        order_lifecycles.order_num,
        order_lifecycles.paid_at,
        order_totals.total_amount,
    from order_lifecycles
    inner join order_totals
        on order_totals.order_num = order_lifecycles.order_num
    -- a pending order cancelled before payment is never paid
    where not (order_lifecycles.first_status = 'pending' and order_lifecycles.is_cancelled)
),

methods as (
    select
        paid_orders.*,
        pick_weighted(
            ['credit_card', 'debit_card', 'paypal', 'bank_transfer', 'cash_on_delivery', 'boleto', 'gift_card', 'voucher'],
            [0.45, 0.60, 0.80, 0.86, 0.93, 0.955, 0.985],
            draw('payments.method', paid_orders.order_num)
        ) as method,
        draw('payments.split', paid_orders.order_num) < 0.08 and paid_orders.total_amount >= 10 as is_split,
        round(paid_orders.total_amount * (0.2 + 0.3 * draw('payments.split_share', paid_orders.order_num)), 2)::decimal(18, 2) as split_amount,
    from paid_orders
),

payments as (
    -- the single payment, or the remainder of a split one
    select
        methods.order_num,
        1 as payment_num,
        methods.method,
        case when methods.is_split then methods.total_amount - methods.split_amount else methods.total_amount end as amount,
        methods.paid_at,
    from methods
    union all
    -- the first part of a split payment: a gift card or voucher
    select
        methods.order_num,
        2 as payment_num,
        pick(['gift_card', 'voucher'], draw('payments.split_method', methods.order_num)) as method,
        methods.split_amount as amount,
        methods.paid_at - interval 1 minute as paid_at,
    from methods
    where methods.is_split
),

sent as (
    select
        day_of(payments.paid_at) as batch_index,
        'main' as file_part,
        hash(getvariable('seed'), 'payments', payments.order_num, payments.payment_num) as sort_key,
        hash(getvariable('seed'), 'payments', payments.order_num, payments.payment_num) as record_key,
        cast(null as varchar) as planted,
        payments.order_num,
        payments.payment_num,
        payments.method,
        payments.amount::decimal(18, 2) as amount,
        payments.paid_at,
    from payments
    where payments.paid_at < getvariable('t0') + to_days(getvariable('days')::integer)
)

select * from sent;

-- gen_payments: the rows as the feed writes them (every column a string).
create or replace table gen_payments as
with
planted as (
    select *
    from planted_rows(
        'payment_records',
        ['unparseable_number', 'unparseable_timestamp', 'missing_key', 'missing_required_value', 'negative_amount']
    )
),

-- schema drift: a third of the third batch's clean rows come in a file
-- without the optional updated_at column
filed as (
    select
        planted.* replace (
            case
                when planted.invalid_rule is null
                    and planted.batch_index = least(2, getvariable('days') - 1)
                    and draw('payments.drift', planted.sort_key) < 0.35
                    then 'drift'
                else 'main'
            end as file_part
        ),
    from planted
),

-- clustered by batch: each file's COPY then reads only its batch's row groups
payment_rows as (
    select * from filed
    order by batch_index
)

select
    payment_rows.batch_index,
    payment_rows.file_part,
    payment_rows.sort_key,
    payment_rows.planted,
    payment_rows.invalid_rule,
    ---------- ids
    case
        when payment_rows.invalid_rule = 'missing_key' then null
        else render_id('PAY', payment_rows.order_num, 9) || '-' || payment_rows.payment_num
    end as payment_id,
    render_id('O', payment_rows.order_num, 9) as order_id,
    ---------- attributes
    case
        when payment_rows.invalid_rule = 'missing_required_value' then null
        else render_code('payment_method', payment_rows.method, draw('payments.method_style', payment_rows.record_key))
    end as payment_method,
    case payment_rows.invalid_rule
        when 'unparseable_number' then pick(getvariable('bad_numbers'), draw('payments.bad', payment_rows.sort_key))
        when 'negative_amount' then render_amount(-payment_rows.amount)
        else render_amount(payment_rows.amount)
    end as amount,
    ---------- timestamps
    case payment_rows.invalid_rule
        when 'unparseable_timestamp' then pick(getvariable('bad_timestamps'), draw('payments.bad', payment_rows.sort_key))
        else render_ts(payment_rows.paid_at, draw('payments.paid_at_style', payment_rows.record_key))
    end as paid_at,
    case
        when draw('payments.updated_at_absent', payment_rows.record_key) < 0.1 then null
        else render_ts(payment_rows.paid_at, draw('payments.updated_at_style', payment_rows.record_key))
    end as updated_at,
from payment_rows;

drop table payment_records;

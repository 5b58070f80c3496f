-- audit.vocabulary: the canonical codes of every vocabulary column (synonyms
-- that map onto them: vocabulary_synonyms.csv). Codes outside this list are
-- kept and reported by a warn-level test, never rejected.
create table if not exists audit.vocabulary (
    domain varchar(32) not null,
    code varchar(256) not null,
    display_name varchar(256) not null,
    payment_channel varchar(32),
    is_terminal boolean,
    is_delivered boolean
) {{ diststyle_all }};

delete from audit.vocabulary;

insert into audit.vocabulary (domain, code, display_name, payment_channel, is_terminal, is_delivered) values
    ('payment_method', 'credit_card', 'Credit card', 'card', null, null),
    ('payment_method', 'debit_card', 'Debit card', 'card', null, null),
    ('payment_method', 'paypal', 'PayPal', 'wallet', null, null),
    ('payment_method', 'bank_transfer', 'Bank transfer', 'bank', null, null),
    ('payment_method', 'gift_card', 'Gift card', 'voucher', null, null),
    ('payment_method', 'voucher', 'Voucher', 'voucher', null, null),
    ('payment_method', 'cash_on_delivery', 'Cash on delivery', 'cash', null, null),
    ('payment_method', 'unknown', 'Unknown (no payment yet)', 'unknown', null, null),
    ('shipment_status', 'pending', 'Pending', null, false, false),
    ('shipment_status', 'label_created', 'Label created', null, false, false),
    ('shipment_status', 'shipped', 'Shipped', null, false, false),
    ('shipment_status', 'in_transit', 'In transit', null, false, false),
    ('shipment_status', 'out_for_delivery', 'Out for delivery', null, false, false),
    ('shipment_status', 'delivered', 'Delivered', null, true, true),
    ('shipment_status', 'returned', 'Returned', null, true, false),
    ('shipment_status', 'lost', 'Lost', null, true, false),
    ('shipment_status', 'cancelled', 'Cancelled', null, true, false),
    ('shipment_status', 'unknown', 'Unknown (no shipment yet)', null, false, false),
    ('order_status', 'pending', 'Pending', null, null, null),
    ('order_status', 'paid', 'Paid', null, null, null),
    ('order_status', 'shipped', 'Shipped', null, null, null),
    ('order_status', 'delivered', 'Delivered', null, null, null),
    ('order_status', 'cancelled', 'Cancelled', null, null, null),
    ('order_status', 'returned', 'Returned', null, null, null),
    ('segment', 'consumer', 'Consumer', null, null, null),
    ('segment', 'corporate', 'Corporate', null, null, null),
    ('segment', 'small_business', 'Small business', null, null, null);

-- The recognized members of the two vocabulary dimensions; codes first seen in
-- data are added by the dimensions step.
insert into dw.dim_payment_methods (payment_method_key, payment_method_code, payment_method_name, payment_channel, is_recognized)
select
    {{ surrogate_key(vocabulary.code) }} as payment_method_key,
    vocabulary.code as payment_method_code,
    vocabulary.display_name as payment_method_name,
    vocabulary.payment_channel as payment_channel,
    true as is_recognized
from audit.vocabulary as vocabulary
where vocabulary.domain = 'payment_method'
    and not exists (
        select 1 from dw.dim_payment_methods as existing
        where existing.payment_method_code = vocabulary.code
    );

insert into dw.dim_shipment_status (shipment_status_key, status_code, status_name, is_terminal, is_delivered, is_recognized)
select
    {{ surrogate_key(vocabulary.code) }} as shipment_status_key,
    vocabulary.code as status_code,
    vocabulary.display_name as status_name,
    vocabulary.is_terminal as is_terminal,
    vocabulary.is_delivered as is_delivered,
    true as is_recognized
from audit.vocabulary as vocabulary
where vocabulary.domain = 'shipment_status'
    and not exists (
        select 1 from dw.dim_shipment_status as existing
        where existing.status_code = vocabulary.code
    );

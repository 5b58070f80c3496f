-- dim_payment_methods and dim_shipment_status: codes first seen in this batch
-- become members (flagged is_recognized = false, payment channel 'other'), so
-- revenue is never dropped because of a code. Parameters: none.
insert into dw.dim_payment_methods (payment_method_key, payment_method_code, payment_method_name, payment_channel, is_recognized)
select
    {{ surrogate_key(unseen.payment_method) }} as payment_method_key,
    unseen.payment_method as payment_method_code,
    unseen.payment_method as payment_method_name,
    'other' as payment_channel,
    false as is_recognized
from (select distinct staged.payment_method from staging.payments as staged) as unseen
where not exists (
    select 1 from dw.dim_payment_methods as known where known.payment_method_code = unseen.payment_method
);

insert into dw.dim_shipment_status (shipment_status_key, status_code, status_name, is_terminal, is_delivered, is_recognized)
select
    {{ surrogate_key(unseen.status) }} as shipment_status_key,
    unseen.status as status_code,
    unseen.status as status_name,
    false as is_terminal,
    false as is_delivered,
    false as is_recognized
from (select distinct staged.status from staging.shipments as staged) as unseen
where not exists (
    select 1 from dw.dim_shipment_status as known where known.status_code = unseen.status
);

-- dim_payment_methods and dim_shipment_status: codes first seen in this batch
-- become members (flagged is_recognized = false, payment channel 'other'), so
-- revenue is never dropped because of a code; an unrecognized member that no
-- batch references any more (its batch was re-run without it) leaves.
-- Parameters: :batch_id.

-- 1. The codes this batch referenced before (a crash, or a forced re-run): withdrawn.
{{ create_temp_table(tmp_vocabulary_withdrawn) }} as
select refs.entity, refs.natural_key
from history.dimension_references as refs
where refs.batch_id = :batch_id and refs.entity in ('payment_method', 'shipment_status');

delete from history.dimension_references
where history.dimension_references.batch_id = :batch_id
    and history.dimension_references.entity in ('payment_method', 'shipment_status');

-- 2. The codes the batch references now.
insert into history.dimension_references (batch_id, entity, natural_key)
select distinct cast(:batch_id as varchar(64)), 'payment_method', staged.payment_method from staging.payments as staged
union
select distinct cast(:batch_id as varchar(64)), 'shipment_status', staged.status from staging.shipments as staged;

-- 3. New members.
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

-- 4. Unrecognized members whose last reference was withdrawn (BuildFacts rebuilds the
-- facts of the withdrawn payments and shipments, which pointed at them).
delete from dw.dim_payment_methods
where not dw.dim_payment_methods.is_recognized
    and dw.dim_payment_methods.payment_method_code in (
        select withdrawn.natural_key from tmp_vocabulary_withdrawn as withdrawn where withdrawn.entity = 'payment_method'
    )
    and not exists (
        select 1 from history.dimension_references as refs
        where refs.entity = 'payment_method' and refs.natural_key = dw.dim_payment_methods.payment_method_code
    );

delete from dw.dim_shipment_status
where not dw.dim_shipment_status.is_recognized
    and dw.dim_shipment_status.status_code in (
        select withdrawn.natural_key from tmp_vocabulary_withdrawn as withdrawn where withdrawn.entity = 'shipment_status'
    )
    and not exists (
        select 1 from history.dimension_references as refs
        where refs.entity = 'shipment_status' and refs.natural_key = dw.dim_shipment_status.status_code
    );

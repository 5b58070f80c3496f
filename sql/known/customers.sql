-- known.customers: the versions of the customers the batch may have changed
-- (its customers, the inferred members it created, the keys whose history
-- changed), as dw.dim_customers now holds them. A version known as current that
-- dw no longer holds as it was is closed (known_to = this load); a version not
-- known as it is now is opened (known_from = this load). Set differences compare
-- NULLs as equal. Parameters: :load_seq, :batch_id.
drop table if exists tmp_known_customers_now;

create temp table tmp_known_customers_now as
with touched as (
    select staged.customer_id from staging.customers as staged
    union
    -- inferred members this batch created (a customer its orders referenced, never sent)
    select dims.customer_id from dw.dim_customers as dims where dims.batch_id = :batch_id
    union
    select changed.natural_key as customer_id from history.batch_changed_keys as changed where changed.batch_id = :batch_id and changed.entity = 'customer'
)

select
    dims.customer_sk, dims.customer_id, dims.city, dims.state, dims.country, dims.segment,
    dims.is_inferred, dims.is_deleted, dims.valid_from, dims.valid_to
from dw.dim_customers as dims
inner join touched
    on touched.customer_id = dims.customer_id;

update known.customers
set known_to = cast(:load_seq as bigint)
from (
    select
        known_rows.customer_sk, known_rows.customer_id, known_rows.city, known_rows.state, known_rows.country,
        known_rows.segment, known_rows.is_inferred, known_rows.is_deleted, known_rows.valid_from, known_rows.valid_to
    from known.customers as known_rows
    inner join (select distinct now_rows.customer_id from tmp_known_customers_now as now_rows) as touched
        on touched.customer_id = known_rows.customer_id
    where known_rows.known_to is null
    except
    select * from tmp_known_customers_now
) as closed
where known.customers.customer_sk = closed.customer_sk
    and known.customers.known_to is null;

insert into known.customers (
    customer_sk, customer_id, city, state, country, segment, is_inferred, is_deleted, valid_from, valid_to,
    known_from, known_to
)
select
    opened.customer_sk, opened.customer_id, opened.city, opened.state, opened.country, opened.segment,
    opened.is_inferred, opened.is_deleted, opened.valid_from, opened.valid_to,
    cast(:load_seq as bigint), cast(null as bigint)
from (
    select * from tmp_known_customers_now
    except
    select
        known_rows.customer_sk, known_rows.customer_id, known_rows.city, known_rows.state, known_rows.country,
        known_rows.segment, known_rows.is_inferred, known_rows.is_deleted, known_rows.valid_from, known_rows.valid_to
    from known.customers as known_rows
    inner join (select distinct now_rows.customer_id from tmp_known_customers_now as now_rows) as touched
        on touched.customer_id = known_rows.customer_id
    where known_rows.known_to is null
) as opened;

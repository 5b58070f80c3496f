-- known.products: the versions of the products the batch may have changed (its
-- products, the inferred members it created, the keys whose history changed), as
-- dw.dim_products now holds them; closed and opened like known.customers.
-- Parameters: :load_seq, :batch_id.
drop table if exists tmp_known_products_now;

create temp table tmp_known_products_now as
with touched as (
    select staged.product_id from staging.products as staged
    union
    -- inferred members this batch created (a product its items referenced, never sent)
    select dims.product_id from dw.dim_products as dims where dims.batch_id = :batch_id
    union
    select changed.natural_key as product_id from history.batch_changed_keys as changed where changed.batch_id = :batch_id and changed.entity = 'product'
)

select
    dims.product_sk, dims.product_id, dims.sku, dims.name, dims.category, dims.brand, dims.list_price, dims.unit_cost,
    dims.is_inferred, dims.is_deleted, dims.valid_from, dims.valid_to
from dw.dim_products as dims
inner join touched
    on touched.product_id = dims.product_id;

update known.products
set known_to = cast(:load_seq as bigint)
from (
    select
        known_rows.product_sk, known_rows.product_id, known_rows.sku, known_rows.name, known_rows.category,
        known_rows.brand, known_rows.list_price, known_rows.unit_cost, known_rows.is_inferred, known_rows.is_deleted,
        known_rows.valid_from, known_rows.valid_to
    from known.products as known_rows
    inner join (select distinct now_rows.product_id from tmp_known_products_now as now_rows) as touched
        on touched.product_id = known_rows.product_id
    where known_rows.known_to is null
    except
    select * from tmp_known_products_now
) as closed
where known.products.product_sk = closed.product_sk
    and known.products.known_to is null;

insert into known.products (
    product_sk, product_id, sku, name, category, brand, list_price, unit_cost, is_inferred, is_deleted,
    valid_from, valid_to, known_from, known_to
)
select
    opened.product_sk, opened.product_id, opened.sku, opened.name, opened.category, opened.brand,
    opened.list_price, opened.unit_cost, opened.is_inferred, opened.is_deleted, opened.valid_from, opened.valid_to,
    cast(:load_seq as bigint), cast(null as bigint)
from (
    select * from tmp_known_products_now
    except
    select
        known_rows.product_sk, known_rows.product_id, known_rows.sku, known_rows.name, known_rows.category,
        known_rows.brand, known_rows.list_price, known_rows.unit_cost, known_rows.is_inferred, known_rows.is_deleted,
        known_rows.valid_from, known_rows.valid_to
    from known.products as known_rows
    inner join (select distinct now_rows.product_id from tmp_known_products_now as now_rows) as touched
        on touched.product_id = known_rows.product_id
    where known_rows.known_to is null
) as opened;

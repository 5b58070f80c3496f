-- dim_products: the surrogate key is unique, and so is (natural key, valid_from).
select cast(duplicates.product_sk as varchar) as failure_key
from (
    select dims.product_sk from dw.dim_products as dims group by dims.product_sk having count(*) > 1
) as duplicates
union all
select duplicates.product_id as failure_key
from (
    select dims.product_id from dw.dim_products as dims group by dims.product_id, dims.valid_from having count(*) > 1
) as duplicates

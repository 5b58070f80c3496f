-- dim_customers: the surrogate key is unique, and so is (natural key, valid_from).
select cast(duplicates.customer_sk as varchar) as failure_key
from (
    select dims.customer_sk from dw.dim_customers as dims group by dims.customer_sk having count(*) > 1
) as duplicates
union all
select duplicates.customer_id as failure_key
from (
    select dims.customer_id from dw.dim_customers as dims group by dims.customer_id, dims.valid_from having count(*) > 1
) as duplicates

-- dim_products: keys and validity columns are never NULL.
select coalesce(dims.product_id, '<null key>') as failure_key
from dw.dim_products as dims
where dims.product_sk is null or dims.product_id is null or dims.valid_from is null
    or dims.valid_to is null or dims.is_current is null or dims.row_hash is null

-- dim_customers: keys and validity columns are never NULL.
select coalesce(dims.customer_id, '<null key>') as failure_key
from dw.dim_customers as dims
where dims.customer_sk is null or dims.customer_id is null or dims.valid_from is null
    or dims.valid_to is null or dims.is_current is null or dims.row_hash is null

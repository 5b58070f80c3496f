-- dim_shipment_status: codes outside the recognized vocabulary (kept as members).
select statuses.status_code as failure_key
from dw.dim_shipment_status as statuses
where not statuses.is_recognized

-- dim_payment_methods: codes outside the recognized vocabulary (kept as members, channel 'other').
select methods.payment_method_code as failure_key
from dw.dim_payment_methods as methods
where not methods.is_recognized

-- dim_customers: current segments outside the recognized vocabulary.
select distinct customers.segment as failure_key
from dw.dim_customers as customers
where customers.is_current
    and customers.segment is not null
    and not exists (
        select 1 from audit.vocabulary as vocabulary
        where vocabulary.domain = 'segment' and vocabulary.code = customers.segment
    )

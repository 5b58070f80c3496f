-- dim_shipment_status: one row per shipment status code, the known ones (seed)
-- and every other code the shipments carry, unknown included.
with known_statuses as (
    select * from {{ ref('shipment_statuses') }}
),

seen_statuses as (
    select distinct shipments.status as status_code
    from {{ ref('shipments_current') }} as shipments
),

unseen_statuses as (
    select
        seen_statuses.status_code,
        seen_statuses.status_code as status_name,
        false as is_terminal,
        false as is_delivered
    from seen_statuses
    left join known_statuses
        on known_statuses.status_code = seen_statuses.status_code
    where known_statuses.status_code is null
),

members as (
    select status_code, status_name, is_terminal, is_delivered, true as is_recognized from known_statuses
    union all
    select status_code, status_name, is_terminal, is_delivered, false as is_recognized from unseen_statuses
)

select
    md5(members.status_code) as shipment_status_key,
    members.*
from members

-- shipments_current: the latest record of every shipment received so far.
-- Grain: one row per shipment_id. Incremental, like orders_current.
{{ config(materialized='incremental', unique_key='shipment_id') }}

with source as (
    select * from {{ source('silver', 'shipments') }}
    {% if is_incremental() %}
    where batch_id > (select coalesce(max(batch_id), '') from {{ this }})
    {% endif %}
),

latest_arrived as (
    select
        source.*,
        row_number() over (
            partition by source.shipment_id
            order by source.updated_at desc, source.row_hash desc
        ) as recency_rank
    from source
),

newer as (
    select latest_arrived.*
    from latest_arrived
    {% if is_incremental() %}
    left join {{ this }} as known
        on known.shipment_id = latest_arrived.shipment_id
    {% endif %}
    where latest_arrived.recency_rank = 1
    {% if is_incremental() %}
        and (
            known.shipment_id is null
            or latest_arrived.updated_at > known.updated_at
            or (latest_arrived.updated_at = known.updated_at and latest_arrived.row_hash > known.row_hash)
        )
    {% endif %}
)

select
    ---------- ids
    newer.shipment_id,
    newer.order_id,
    ---------- attributes
    newer.status,
    newer.carrier,
    ---------- timestamps
    newer.shipped_at,
    newer.delivered_at,
    newer.updated_at,
    ---------- lineage
    newer.row_hash,
    newer.batch_id
from newer

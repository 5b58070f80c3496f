-- order_items_current: the latest record of every order line received so far,
-- deleted lines (tombstones) included so that a late record cannot revive them.
-- Grain: one row per (order_id, line_number). Incremental, like orders_current.
{{ config(materialized='incremental', unique_key=['order_id', 'line_number']) }}

with source as (
    select * from {{ source('silver', 'order_items') }}
    {% if is_incremental() %}
    where batch_id > (select coalesce(max(batch_id), '') from {{ this }})
    {% endif %}
),

latest_arrived as (
    select
        source.*,
        row_number() over (
            partition by source.order_id, source.line_number
            order by source.updated_at desc, source.row_hash desc
        ) as recency_rank
    from source
),

newer as (
    select latest_arrived.*
    from latest_arrived
    {% if is_incremental() %}
    left join {{ this }} as known
        on known.order_id = latest_arrived.order_id
        and known.line_number = latest_arrived.line_number
    {% endif %}
    where latest_arrived.recency_rank = 1
    {% if is_incremental() %}
        and (
            known.order_id is null
            or latest_arrived.updated_at > known.updated_at
            or (latest_arrived.updated_at = known.updated_at and latest_arrived.row_hash > known.row_hash)
        )
    {% endif %}
)

select
    ---------- ids
    newer.order_id,
    newer.line_number,
    newer.product_id,
    ---------- numerics
    newer.quantity,
    newer.unit_price,
    coalesce(newer.discount_amount, 0) as discount_amount,
    coalesce(newer.shipping_amount, 0) as shipping_amount,
    coalesce(newer.is_deleted, false) as is_deleted,
    ---------- timestamps
    newer.updated_at,
    ---------- lineage
    newer.row_hash,
    newer.batch_id
from newer

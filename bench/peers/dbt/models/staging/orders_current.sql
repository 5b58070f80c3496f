-- orders_current: the latest record of every order received so far.
-- Grain: one row per order_id. Incremental: each run merges the batches that
-- arrived since the last one; a late record never overwrites a newer one.
{{ config(materialized='incremental', unique_key='order_id') }}

with source as (
    select * from {{ source('silver', 'orders') }}
    {% if is_incremental() %}
    where batch_id > (select coalesce(max(batch_id), '') from {{ this }})
    {% endif %}
),

latest_arrived as (
    select
        source.*,
        row_number() over (
            partition by source.order_id
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
    newer.customer_id,
    ---------- attributes
    newer.status,
    newer.currency,
    ---------- timestamps
    newer.order_ts,
    newer.updated_at,
    ---------- lineage
    newer.row_hash,
    newer.batch_id
from newer

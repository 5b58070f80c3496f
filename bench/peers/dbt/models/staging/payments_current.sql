-- payments_current: the latest record of every payment received so far.
-- Grain: one row per payment_id. A payment without updated_at is ordered by
-- paid_at. Incremental, like orders_current.
{{ config(materialized='incremental', unique_key='payment_id') }}

with source as (
    select
        silver.*,
        coalesce(silver.updated_at, silver.paid_at) as changed_at
    from {{ source('silver', 'payments') }} as silver
    {% if is_incremental() %}
    where silver.batch_id > (select coalesce(max(batch_id), '') from {{ this }})
    {% endif %}
),

latest_arrived as (
    select
        source.*,
        row_number() over (
            partition by source.payment_id
            order by source.changed_at desc, source.row_hash desc
        ) as recency_rank
    from source
),

newer as (
    select latest_arrived.*
    from latest_arrived
    {% if is_incremental() %}
    left join {{ this }} as known
        on known.payment_id = latest_arrived.payment_id
    {% endif %}
    where latest_arrived.recency_rank = 1
    {% if is_incremental() %}
        and (
            known.payment_id is null
            or latest_arrived.changed_at > known.changed_at
            or (latest_arrived.changed_at = known.changed_at and latest_arrived.row_hash > known.row_hash)
        )
    {% endif %}
)

select
    ---------- ids
    newer.payment_id,
    newer.order_id,
    ---------- attributes
    newer.payment_method,
    ---------- numerics
    newer.amount,
    ---------- timestamps
    newer.paid_at,
    newer.changed_at,
    ---------- lineage
    newer.row_hash,
    newer.batch_id
from newer

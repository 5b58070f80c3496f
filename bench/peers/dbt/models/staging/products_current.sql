-- products_current: the shop's products table as it stands now, rebuilt from
-- every change record in the lake. The products snapshot's relation.
-- Grain: one row per product_id, its latest record (greatest updated_at, then
-- greatest row_hash). A delete is a record with is_deleted = true.
{{ config(materialized='ephemeral') }}

with source as (
    select * from {{ source('silver', 'products') }}
),

ranked as (
    select
        source.*,
        row_number() over (
            partition by source.product_id
            order by source.updated_at desc, source.row_hash desc
        ) as recency_rank
    from source
),

latest as (
    select
        ---------- ids
        ranked.product_id,
        ---------- attributes
        ranked.sku,
        ranked.name,
        ranked.category,
        ranked.brand,
        ---------- numerics
        ranked.list_price,
        ranked.unit_cost,
        coalesce(ranked.is_deleted, false) as is_deleted,
        ---------- timestamps
        ranked.updated_at
    from ranked
    where ranked.recency_rank = 1
)

select * from latest

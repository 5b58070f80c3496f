-- customers_current: the shop's customers table as it stands now, rebuilt from
-- every change record in the lake. The customers snapshot's relation.
-- Grain: one row per customer_id, its latest record (greatest updated_at, then
-- greatest row_hash). A delete is a record with is_deleted = true: it stays a
-- row, so the snapshot dates it by its updated_at.
{{ config(materialized='ephemeral') }}

with source as (
    select * from {{ source('silver', 'customers') }}
),

ranked as (
    select
        source.*,
        row_number() over (
            partition by source.customer_id
            order by source.updated_at desc, source.row_hash desc
        ) as recency_rank
    from source
),

latest as (
    select
        ---------- ids
        ranked.customer_id,
        ---------- attributes
        ranked.email,
        ranked.first_name,
        ranked.last_name,
        ranked.city,
        ranked.state,
        ranked.country,
        ranked.segment,
        coalesce(ranked.is_deleted, false) as is_deleted,
        ---------- timestamps
        ranked.updated_at
    from ranked
    where ranked.recency_rank = 1
)

select * from latest

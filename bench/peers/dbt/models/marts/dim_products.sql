-- dim_products: SCD Type 2 products from the snapshot.
-- Grain: one row per product version, valid for [valid_from, valid_to), plus
-- one unknown member for lines whose product was never received. The first
-- version of a product covers all time before it.
with snapshot as (
    select * from {{ ref('products_snapshot') }}
),

versions as (
    select
        ---------- keys
        snapshot.dbt_scd_id as product_sk,
        snapshot.product_id,
        ---------- attributes
        snapshot.sku,
        snapshot.name,
        snapshot.category,
        snapshot.brand,
        ---------- numerics
        snapshot.list_price,
        snapshot.unit_cost,
        ---------- flags
        false as is_inferred,
        snapshot.is_deleted or snapshot.dbt_is_deleted = 'True' as is_deleted,
        ---------- validity
        case
            when row_number() over (partition by snapshot.product_id order by snapshot.dbt_valid_from) = 1
                then cast('1900-01-01 00:00:00' as timestamp)
            else snapshot.dbt_valid_from
        end as valid_from,
        coalesce(snapshot.dbt_valid_to, cast('9999-12-31 00:00:00' as timestamp)) as valid_to,
        snapshot.dbt_valid_to is null as is_current
    from snapshot
),

unknown_member as (
    select
        '-1' as product_sk,
        '(unknown)' as product_id,
        null as sku,
        null as name,
        null as category,
        null as brand,
        cast(null as decimal(18, 4)) as list_price,
        cast(null as decimal(18, 4)) as unit_cost,
        true as is_inferred,
        false as is_deleted,
        cast('1900-01-01 00:00:00' as timestamp) as valid_from,
        cast('9999-12-31 00:00:00' as timestamp) as valid_to,
        true as is_current
)

select * from versions
union all
select * from unknown_member

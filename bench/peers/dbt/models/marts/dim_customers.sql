-- dim_customers: SCD Type 2 customers from the snapshot.
-- Grain: one row per customer version, valid for [valid_from, valid_to), plus
-- one unknown member for orders whose customer was never received. The first
-- version of a customer covers all time before it, so that an order placed
-- before the customer's first record still finds a version.
with snapshot as (
    select * from {{ ref('customers_snapshot') }}
),

versions as (
    select
        ---------- keys
        snapshot.dbt_scd_id as customer_sk,
        snapshot.customer_id,
        ---------- attributes
        snapshot.email,
        snapshot.first_name,
        snapshot.last_name,
        snapshot.city,
        snapshot.state,
        snapshot.country,
        snapshot.segment,
        ---------- flags
        false as is_inferred,
        snapshot.is_deleted or snapshot.dbt_is_deleted = 'True' as is_deleted,
        ---------- validity
        case
            when row_number() over (partition by snapshot.customer_id order by snapshot.dbt_valid_from) = 1
                then cast('1900-01-01 00:00:00' as timestamp)
            else snapshot.dbt_valid_from
        end as valid_from,
        coalesce(snapshot.dbt_valid_to, cast('9999-12-31 00:00:00' as timestamp)) as valid_to,
        snapshot.dbt_valid_to is null as is_current
    from snapshot
),

unknown_member as (
    select
        '-1' as customer_sk,
        '(unknown)' as customer_id,
        null as email,
        null as first_name,
        null as last_name,
        null as city,
        null as state,
        null as country,
        null as segment,
        true as is_inferred,
        false as is_deleted,
        cast('1900-01-01 00:00:00' as timestamp) as valid_from,
        cast('9999-12-31 00:00:00' as timestamp) as valid_to,
        true as is_current
)

select * from versions
union all
select * from unknown_member

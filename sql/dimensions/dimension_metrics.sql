-- The BuildDimensions step's figures, returned to the step (it does not record them:
-- the metrics recorder does, once, for every step). VersionsCreated of dim_customers
-- and dim_products: the versions the batch created over all its attempts
-- (history.batch_created_versions), so a re-run after a crash reports the same
-- figure. Parameters: :batch_id.
with dimensions as (
    select 'customer' as entity, 'dim_customers' as table_name
    union all
    select 'product' as entity, 'dim_products' as table_name
),

created_versions as (
    select created.entity, created.surrogate_key
    from history.batch_created_versions as created
    where created.batch_id = :batch_id
)

select
    dimensions.table_name,
    'VersionsCreated' as metric,
    count(created_versions.surrogate_key) as metric_value
from dimensions
left join created_versions
    on created_versions.entity = dimensions.entity
group by dimensions.table_name
order by dimensions.table_name

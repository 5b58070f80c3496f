-- VersionsCreated of dim_customers and dim_products: the versions the batch created
-- over all its attempts (history.batch_created_versions). Parameters: :batch_id, :run_id.
delete from audit.metrics
where run_id = :run_id and step = 'BuildDimensions' and table_name in ('dim_customers', 'dim_products');

insert into audit.metrics (run_id, batch_id, step, table_name, metric, metric_value, unit, recorded_at)
select cast(:run_id as varchar(64)), cast(:batch_id as varchar(64)), 'BuildDimensions', dimensions.table_name, 'VersionsCreated', count(created.surrogate_key), 'Count', {{ now }}
from (
    select 'customer' as entity, 'dim_customers' as table_name
    union all
    select 'product' as entity, 'dim_products' as table_name
) as dimensions
left join history.batch_created_versions as created
    on created.entity = dimensions.entity and created.batch_id = :batch_id
group by dimensions.table_name;

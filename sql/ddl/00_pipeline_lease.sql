-- audit.pipeline_lease: at most one row, the execution allowed to run the pipeline now (two
-- executions at once would share the staging tables). DiscoverBatch takes it before anything
-- else touches the warehouse (the bootstrap's seeds included: two bootstraps at once collide),
-- the execution's end releases it; one older than ttl_seconds was left by an execution that is gone.
create schema if not exists audit;

create table if not exists audit.pipeline_lease (
    lease_name varchar(32) not null,
    holder varchar(512) not null,
    acquired_at timestamp not null,
    ttl_seconds integer not null
) {{ diststyle_all }};

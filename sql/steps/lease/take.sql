-- Pipeline lease (Redshift): drops the lease when it is this execution's own or
-- has expired, then takes it if it is free; a live lease of another execution
-- stays, and the step reads who holds it (holder.sql). Parameters: :holder,
-- :ttl_seconds.
delete from audit.pipeline_lease
where lease_name = 'pipeline'
    and (holder = :holder or {{ seconds_between(acquired_at, {{ now }}) }} >= ttl_seconds);

insert into audit.pipeline_lease (lease_name, holder, acquired_at, ttl_seconds)
select 'pipeline', :holder, {{ now }}, :ttl_seconds
where not exists (select 1 from audit.pipeline_lease as lease where lease.lease_name = 'pipeline');

-- Pipeline lease (DuckDB): the local warehouse is a file one process holds
-- exclusively, so a lease found there was left by a process that is gone: it is
-- taken over. Parameters: :holder, :ttl_seconds.
delete from audit.pipeline_lease where lease_name = 'pipeline';

insert into audit.pipeline_lease (lease_name, holder, acquired_at, ttl_seconds)
select 'pipeline', :holder, {{ now }}, :ttl_seconds
where not exists (select 1 from audit.pipeline_lease as lease where lease.lease_name = 'pipeline');

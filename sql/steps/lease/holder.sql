-- Pipeline lease: who holds it now, and since when (named in PipelineBusyError).
select holder, cast(acquired_at as varchar) as acquired_at, ttl_seconds
from audit.pipeline_lease
where lease_name = 'pipeline';

-- Pipeline lease: released by the execution holding it, in the transaction of
-- its last step (a no-op when another execution holds it). Parameters: :holder.
delete from audit.pipeline_lease where lease_name = 'pipeline' and holder = :holder;

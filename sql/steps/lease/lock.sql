-- Pipeline lease, Redshift only: the lease table locked for the transaction, so
-- two executions starting at once are serialized and exactly one takes the lease.
-- (DuckDB needs none: one process holds the warehouse file.)
lock audit.pipeline_lease;

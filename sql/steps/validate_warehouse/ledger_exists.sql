-- ecomdw validate, before the bootstrap: whether the database has a batch ledger
-- at all (a database that is no warehouse is not turned into one).
select count(*) as n
from information_schema.tables
where table_schema = 'audit' and table_name = 'batches';

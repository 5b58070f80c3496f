-- Bootstrap: whether the warehouse has a version table at all (a new warehouse,
-- or one built before it existed, has none and is bootstrapped in full).
select count(*) as n
from information_schema.tables
where table_schema = 'audit' and table_name = 'warehouse_version';

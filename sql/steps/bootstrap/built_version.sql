-- Bootstrap: the version of the SQL the warehouse was last built from.
select version from audit.warehouse_version;

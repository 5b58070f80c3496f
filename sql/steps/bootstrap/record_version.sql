-- Bootstrap, last and alone: the version of the SQL the warehouse is now built
-- from (bootstrapVersion); a bootstrap cut short anywhere before runs again in
-- full. Parameters: :version.
delete from audit.warehouse_version;

insert into audit.warehouse_version (version, built_at) values (:version, {{ now }});

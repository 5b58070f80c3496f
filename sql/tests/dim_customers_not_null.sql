-- The generic not_null test (sql/tests/_not_null.sql) of dw.dim_customers.
{{ template(tests/_not_null.sql, customers) }}

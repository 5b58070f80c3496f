-- The generic unique_sk test (sql/tests/_unique_sk.sql) of dw.dim_customers.
{{ template(tests/_unique_sk.sql, customers) }}

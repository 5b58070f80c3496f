-- The generic unique_sk test (sql/tests/_unique_sk.sql) of dw.dim_products.
{{ template(tests/_unique_sk.sql, products) }}

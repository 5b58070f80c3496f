-- The generic not_null test (sql/tests/_not_null.sql) of dw.dim_products.
{{ template(tests/_not_null.sql, products) }}

-- The generic scd2_tiling test (sql/tests/_scd2_tiling.sql) of dw.dim_products.
{{ template(tests/_scd2_tiling.sql, products) }}

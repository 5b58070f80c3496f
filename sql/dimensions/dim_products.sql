-- dw.dim_products: the SCD Type 2 shape every dimension shares, filled in for the
-- contract's products table (`ecomdw sql --render` shows the filled-in SQL).
{{ template(dimensions/_scd2_dimension.sql, products) }}

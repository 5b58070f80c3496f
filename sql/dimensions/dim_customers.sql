-- dw.dim_customers: the SCD Type 2 shape every dimension shares, filled in for the
-- contract's customers table (`ecomdw sql --render` shows the filled-in SQL).
{{ template(dimensions/_scd2_dimension.sql, customers) }}

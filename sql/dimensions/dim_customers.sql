-- dw.dim_customers: the SCD Type 2 dimension of the contract's customers table, its statements
-- those of every SCD2 dimension, filled in for it (`ecomdw sql --render dim_customers` shows them).
-- Parameters: :batch_id, :run_id.
{{ template(dimensions/_scd2_dimension.sql, customers) }}

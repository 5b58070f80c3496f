-- known.customers: the customer versions the reports attribute by, with their
-- transaction time (`ecomdw sql --render known/customers` shows the filled-in SQL).
{{ template(known/_known_dimension.sql, customers) }}

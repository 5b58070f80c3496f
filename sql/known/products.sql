-- known.products: the product versions the reports attribute by, with their
-- transaction time (`ecomdw sql --render known/products` shows the filled-in SQL).
{{ template(known/_known_dimension.sql, products) }}

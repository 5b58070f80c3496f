-- history.orders: the latest-record shape every source table with a history shares,
-- filled in for orders (`ecomdw sql --render` shows the filled-in SQL).
{{ template(history/_latest_record.sql, orders) }}

-- history.order_items: the latest-record shape every source table with a history shares,
-- filled in for order_items (`ecomdw sql --render` shows the filled-in SQL).
-- A deleted item (tombstone) is a latest record like any other.
{{ template(history/_latest_record.sql, order_items) }}

-- history.order_items: the latest order_items record per key, and every distinct record each batch brought,
-- filled in from the template every latest-record table shares (`ecomdw sql --render history/order_items.sql`).
-- Deletions (tombstones) are latest records like any other.
-- Parameters: :batch_id.
{{ template(history/_latest_record.sql, order_items) }}

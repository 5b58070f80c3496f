-- history.orders: the latest orders record per key, and every distinct record each batch brought,
-- filled in from the template every latest-record table shares (`ecomdw sql --render history/orders.sql`).
-- Parameters: :batch_id.
{{ template(history/_latest_record.sql, orders) }}

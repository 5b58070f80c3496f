-- history.payments: the latest payments record per key, and every distinct record each batch brought,
-- filled in from the template every latest-record table shares (`ecomdw sql --render history/payments.sql`).
-- A payment without updated_at dates from paid_at (its version_ts).
-- Parameters: :batch_id.
{{ template(history/_latest_record.sql, payments) }}

-- history.payments: the latest-record shape every source table with a history shares,
-- filled in for payments (`ecomdw sql --render` shows the filled-in SQL).
-- A payment without updated_at dates from paid_at (its version_ts).
{{ template(history/_latest_record.sql, payments) }}

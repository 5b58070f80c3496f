-- waiting_rows (warn): latest order items (live), payments and shipments whose order
-- has not arrived yet; they enter the facts when it does. history.waiting_rows is
-- kept by sql/history/waiting_rows.sql, one row per waiting record.
select waiting.source_table || ' ' || waiting.order_id as failure_key
from history.waiting_rows as waiting

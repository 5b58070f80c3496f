-- RecordFailure: the alert, as the state machine then publishes it.
-- Parameters: :run_id, :batch_id, :error_name, :message.
insert into audit.alerts (run_id, batch_id, raised_at, error_name, message)
values (:run_id, :batch_id, {{ now }}, :error_name, :message);

-- Removes a scope written by sql/scope/every_order.sql. Parameters: :batch_id.
delete from history.batch_affected_orders where batch_id = :batch_id;

-- Scope of a whole-warehouse validation (ecomdw validate): every order, under the
-- validation's own run id as its batch id (one no lake batch has), so the fact
-- tests, which read a batch's affected orders, test them all. Removed afterwards
-- by sql/scope/remove.sql. Parameters: :batch_id.
delete from history.batch_affected_orders where batch_id = :batch_id;

insert into history.batch_affected_orders (batch_id, order_id)
select cast(:batch_id as varchar(64)), orders.order_id
from history.orders as orders;

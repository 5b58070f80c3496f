-- The report: the first and last order date known at the report's load, its
-- default --from and --to. Parameters: :known_seq.
select min(orders.order_date) as first_date, max(orders.order_date) as last_date
from known.orders as orders
where orders.known_from <= :known_seq and (orders.known_to is null or orders.known_to > :known_seq);

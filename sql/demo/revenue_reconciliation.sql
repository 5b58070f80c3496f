-- ecomdw demo, at the end: the facts' revenue and payments against what the
-- latest live records in history add up to; the demo says MISMATCH (exit 1)
-- when they differ.
select
    (select count(*) from dw.fact_order_items) as fact_items,
    (select coalesce(sum(net_revenue), 0) from dw.fact_order_items) as fact_net,
    (
        select coalesce(sum(items.quantity * items.unit_price - coalesce(items.discount_amount, 0)), 0)
        from history.order_items as items
        inner join history.orders as orders on orders.order_id = items.order_id
        where not items.is_deleted
    ) as latest_net,
    (select coalesce(sum(amount), 0) from dw.fact_payments) as fact_payments,
    (
        select coalesce(sum(payments.amount), 0)
        from history.payments as payments
        inner join history.orders as orders on orders.order_id = payments.order_id
    ) as latest_payments;

-- olist_problems: one row per value the mapping cannot use (grain: file,
-- source_row, column_name). Keys and timestamps decide batches, change times
-- and joins, so they are checked here; amounts and codes pass through as text
-- and the pipeline's contract checks them (bad ones go to quarantine).
create or replace table olist_problems as
with
orders as (
    select * from olist_orders
),

order_items as (
    select * from olist_order_items
),

payments as (
    select * from olist_order_payments
),

customers as (
    select * from olist_customers
),

products as (
    select * from olist_products
),

translations as (
    select * from olist_category_translation
),

---------- required values that are empty
empty_values as (
    select 'olist_orders_dataset.csv' as file, source_row, unnest(['order_id', 'customer_id', 'order_purchase_timestamp']) as column_name, unnest([order_id, customer_id, order_purchase_timestamp]) as value
    from orders
    union all
    select 'olist_order_items_dataset.csv', source_row, unnest(['order_id', 'order_item_id', 'product_id']), unnest([order_id, order_item_id, product_id])
    from order_items
    union all
    select 'olist_order_payments_dataset.csv', source_row, unnest(['order_id', 'payment_sequential']), unnest([order_id, payment_sequential])
    from payments
    union all
    select 'olist_customers_dataset.csv', source_row, unnest(['customer_id', 'customer_unique_id']), unnest([customer_id, customer_unique_id])
    from customers
    union all
    select 'olist_products_dataset.csv', source_row, 'product_id', product_id
    from products
),

empty as (
    select file, source_row, column_name, value, 'is empty' as problem
    from empty_values
    where value is null
),

---------- timestamps that do not parse
timestamp_values as (
    select
        source_row,
        unnest(['order_purchase_timestamp', 'order_approved_at', 'order_delivered_carrier_date', 'order_delivered_customer_date']) as column_name,
        unnest([order_purchase_timestamp, order_approved_at, order_delivered_carrier_date, order_delivered_customer_date]) as value
    from orders
),

unparseable as (
    select 'olist_orders_dataset.csv' as file, source_row, column_name, value,
        'is not a timestamp as ' || getvariable('olist_timestamp_format') as problem
    from timestamp_values
    where value is not null and olist_ts(value) is null
),

---------- keys that appear twice
duplicates as (
    select 'olist_orders_dataset.csv' as file, source_row, 'order_id' as column_name, order_id as value, 'duplicate key' as problem
    from orders
    qualify count(*) over (partition by order_id) > 1 and order_id is not null
    union all
    select 'olist_order_items_dataset.csv', source_row, 'order_id, order_item_id', order_id || ', ' || order_item_id, 'duplicate key'
    from order_items
    qualify count(*) over (partition by order_id, order_item_id) > 1 and order_id is not null and order_item_id is not null
    union all
    select 'olist_order_payments_dataset.csv', source_row, 'order_id, payment_sequential', order_id || ', ' || payment_sequential, 'duplicate key'
    from payments
    qualify count(*) over (partition by order_id, payment_sequential) > 1 and order_id is not null and payment_sequential is not null
    union all
    select 'olist_customers_dataset.csv', source_row, 'customer_id', customer_id, 'duplicate key'
    from customers
    qualify count(*) over (partition by customer_id) > 1 and customer_id is not null
    union all
    select 'olist_products_dataset.csv', source_row, 'product_id', product_id, 'duplicate key'
    from products
    qualify count(*) over (partition by product_id) > 1 and product_id is not null
    union all
    select 'product_category_name_translation.csv', source_row, 'product_category_name', product_category_name, 'duplicate key'
    from translations
    qualify count(*) over (partition by product_category_name) > 1 and product_category_name is not null
),

---------- references to rows another file does not have
dangling as (
    select 'olist_orders_dataset.csv' as file, orders.source_row, 'customer_id' as column_name, orders.customer_id as value,
        'is not in olist_customers_dataset.csv' as problem
    from orders
    anti join customers on customers.customer_id = orders.customer_id
    where orders.customer_id is not null
    union all
    select 'olist_order_items_dataset.csv', order_items.source_row, 'order_id', order_items.order_id, 'is not in olist_orders_dataset.csv'
    from order_items
    anti join orders on orders.order_id = order_items.order_id
    where order_items.order_id is not null
    union all
    select 'olist_order_items_dataset.csv', order_items.source_row, 'product_id', order_items.product_id, 'is not in olist_products_dataset.csv'
    from order_items
    anti join products on products.product_id = order_items.product_id
    where order_items.product_id is not null
    union all
    select 'olist_order_payments_dataset.csv', payments.source_row, 'order_id', payments.order_id, 'is not in olist_orders_dataset.csv'
    from payments
    anti join orders on orders.order_id = payments.order_id
    where payments.order_id is not null
),

problems as (
    select * from empty
    union all
    select * from unparseable
    union all
    select * from duplicates
    union all
    select * from dangling
)

select * from problems;

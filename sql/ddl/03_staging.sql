-- staging.<table>: the silver rows of the batch being processed (replaced by
-- every load). Column order is the silver parquet's: Redshift COPY maps by position.
create table if not exists staging.customers (
    customer_id varchar(256), updated_at timestamp, email varchar(256), first_name varchar(256),
    last_name varchar(256), city varchar(256), state varchar(256), country varchar(256),
    segment varchar(256), is_deleted boolean,
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

create table if not exists staging.products (
    product_id varchar(256), updated_at timestamp, sku varchar(256), name varchar(1024),
    category varchar(256), brand varchar(256), list_price decimal(18,4), unit_cost decimal(18,4),
    is_deleted boolean,
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

create table if not exists staging.orders (
    order_id varchar(256), customer_id varchar(256), order_ts timestamp, updated_at timestamp,
    status varchar(256), currency varchar(16),
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

create table if not exists staging.order_items (
    order_id varchar(256), line_number bigint, product_id varchar(256), quantity bigint,
    unit_price decimal(18,4), updated_at timestamp, discount_amount decimal(18,4),
    shipping_amount decimal(18,4), is_deleted boolean,
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

create table if not exists staging.payments (
    payment_id varchar(256), order_id varchar(256), payment_method varchar(256),
    amount decimal(18,4), paid_at timestamp, updated_at timestamp,
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

create table if not exists staging.shipments (
    shipment_id varchar(256), order_id varchar(256), status varchar(256), updated_at timestamp,
    carrier varchar(256), shipped_at timestamp, delivered_at timestamp,
    row_hash varchar(32), source_file varchar(1024), source_row bigint
);

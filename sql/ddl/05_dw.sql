-- dw: the star schema (SPEC section 3). Intervals are half-open [valid_from, valid_to).

-- dim_customers: SCD Type 2, one row per customer version.
create table if not exists dw.dim_customers (
    customer_sk bigint not null,
    customer_id varchar(256) not null,
    email varchar(256), first_name varchar(256), last_name varchar(256), city varchar(256),
    state varchar(256), country varchar(256), segment varchar(256),
    is_inferred boolean not null, is_deleted boolean not null,
    valid_from timestamp not null, valid_to timestamp not null, is_current boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ diststyle_all }} {{ sortkey(customer_id, valid_from) }};

-- dim_products: SCD Type 2, one row per product version.
create table if not exists dw.dim_products (
    product_sk bigint not null,
    product_id varchar(256) not null,
    sku varchar(256), name varchar(1024), category varchar(256), brand varchar(256),
    list_price decimal(18,4), unit_cost decimal(18,4),
    is_inferred boolean not null, is_deleted boolean not null,
    valid_from timestamp not null, valid_to timestamp not null, is_current boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ diststyle_all }} {{ sortkey(product_id, valid_from) }};

-- dim_date: one row per calendar day.
create table if not exists dw.dim_date (
    date_key integer not null, "date" date not null, "year" integer not null, quarter integer not null,
    "month" integer not null, month_name varchar(16) not null, day_of_month integer not null,
    day_of_week integer not null, day_name varchar(16) not null, iso_week integer not null,
    is_weekend boolean not null
) {{ diststyle_all }} {{ sortkey(date_key) }};

-- dim_payment_methods: one row per payment method code ever seen, plus unknown.
create table if not exists dw.dim_payment_methods (
    payment_method_key bigint not null, payment_method_code varchar(256) not null,
    payment_method_name varchar(256) not null, payment_channel varchar(32) not null,
    is_recognized boolean not null
) {{ diststyle_all }};

-- dim_shipment_status: one row per shipment status code ever seen, plus unknown.
create table if not exists dw.dim_shipment_status (
    shipment_status_key bigint not null, status_code varchar(256) not null,
    status_name varchar(256) not null, is_terminal boolean not null, is_delivered boolean not null,
    is_recognized boolean not null
) {{ diststyle_all }};

-- fact_order_items: one row per order item (order_id, line_number).
create table if not exists dw.fact_order_items (
    order_id varchar(256) not null, line_number bigint not null, order_ts timestamp not null,
    order_date_key integer not null, customer_sk bigint not null, product_sk bigint not null,
    payment_method_key bigint not null, shipment_status_key bigint not null, order_status varchar(256),
    quantity bigint not null, unit_price decimal(18,4) not null, discount_amount decimal(18,4) not null,
    gross_revenue decimal(18,4) not null, net_revenue decimal(18,4) not null,
    shipping_amount decimal(18,4) not null, unit_cost decimal(18,4), cost_amount decimal(18,4),
    margin decimal(18,4), batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_ts) }};

-- fact_payments: one row per payment.
create table if not exists dw.fact_payments (
    payment_id varchar(256) not null, order_id varchar(256) not null, paid_at timestamp not null,
    payment_date_key integer not null, payment_method_key bigint not null, customer_sk bigint not null,
    amount decimal(18,4) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(paid_at) }};

-- Reporting: the order lifecycle fact, what the warehouse knew load by load
-- (schema known, transaction time), the marts' schema and the restatement ledger.
create schema if not exists known;
create schema if not exists mart;

-- fact_order_fulfillment: one row per order (accumulating snapshot), its
-- milestones and the hours between them. Lags round half away from zero.
-- Order totals are decimal(38,4) (the macro total_decimal: on DuckDB stored
-- uncompressed, see dialects.ts): the contract bounds each item inside
-- decimal(18,4), not the number of items or payments an order has.
create table if not exists dw.fact_order_fulfillment (
    order_id varchar(256) not null, order_ts timestamp not null, order_date_key integer not null,
    customer_sk bigint not null, payment_method_key bigint not null, shipment_status_key bigint not null,
    order_status varchar(256),
    item_count integer not null, unit_count bigint not null, net_revenue {{ total_decimal }} not null,
    payment_count integer not null, paid_amount {{ total_decimal }} not null,
    first_paid_at timestamp, first_shipped_at timestamp, delivered_at timestamp,
    placed_to_paid_hours decimal(18,2), placed_to_shipped_hours decimal(18,2),
    shipped_to_delivered_hours decimal(18,2), placed_to_delivered_hours decimal(18,2),
    is_paid boolean not null, is_shipped boolean not null, is_delivered boolean not null,
    is_cancelled boolean not null, is_returned boolean not null,
    batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_ts) }};

-- known.loads: one row per run that reached BuildMarts, numbered in the order
-- they ran (load_seq). Every known.* row is stamped with the load that opened it
-- (known_from) and the one that superseded it (known_to, NULL while current),
-- so "as known at load p" is: known_from <= p and (known_to is null or known_to > p).
create table if not exists known.loads (
    load_seq bigint not null, run_id varchar(64) not null, batch_id varchar(64) not null,
    warnings integer not null, versions_opened bigint not null, versions_closed bigint not null,
    restatements bigint not null, recorded_at timestamp not null
) {{ diststyle_all }};

-- known.load_tables: what each load received per source table, kept here
-- because audit.table_loads is rewritten when a batch runs again.
create table if not exists known.load_tables (
    load_seq bigint not null, run_id varchar(64) not null, batch_id varchar(64) not null,
    table_name varchar(32) not null, files integer not null, raw_rows bigint not null,
    silver_rows bigint not null, quarantined_rows bigint not null, staged_rows bigint not null,
    newest_change_at timestamp
) {{ diststyle_all }};

-- known.customers / known.products: the dimension versions the reports attribute
-- by (no personal data: no e-mail, no names), with their transaction time.
create table if not exists known.customers (
    customer_sk bigint not null, customer_id varchar(256) not null,
    city varchar(256), state varchar(256), country varchar(256), segment varchar(256),
    is_inferred boolean not null, is_deleted boolean not null,
    valid_from timestamp not null, valid_to timestamp not null,
    known_from bigint not null, known_to bigint
) {{ diststyle_all }} {{ sortkey(customer_id, valid_from) }};

create table if not exists known.products (
    product_sk bigint not null, product_id varchar(256) not null,
    sku varchar(256), name varchar(1024), category varchar(256), brand varchar(256),
    list_price decimal(18,4), unit_cost decimal(18,4),
    is_inferred boolean not null, is_deleted boolean not null,
    valid_from timestamp not null, valid_to timestamp not null,
    known_from bigint not null, known_to bigint
) {{ diststyle_all }} {{ sortkey(product_id, valid_from) }};

-- known.order_items: one row per order item version, with the attributes valid
-- at purchase and the revenue definition applied (recognized_* columns). Only
-- what the reports and marts read: every column is diffed and written per batch.
create table if not exists known.order_items (
    order_id varchar(256) not null, line_number bigint not null, order_date date not null,
    customer_id varchar(256) not null, is_customer_inferred boolean not null,
    product_id varchar(256) not null, is_product_inferred boolean not null,
    payment_method varchar(256) not null, payment_channel varchar(32) not null,
    revenue_state varchar(16) not null,
    category varchar(256), segment varchar(256), city varchar(256), state varchar(256), country varchar(256),
    quantity bigint not null, net_revenue decimal(18,4) not null,
    recognized_revenue decimal(18,4) not null, recognized_margin decimal(18,4),
    known_from bigint not null, known_to bigint
) {{ distkey(order_id) }} {{ sortkey(order_date) }};

-- known.payments: one row per payment version.
create table if not exists known.payments (
    payment_id varchar(256) not null, order_id varchar(256) not null,
    paid_at timestamp not null, paid_date date not null,
    payment_method varchar(256) not null, payment_channel varchar(32) not null,
    customer_id varchar(256) not null, amount decimal(18,4) not null,
    known_from bigint not null, known_to bigint
) {{ distkey(order_id) }} {{ sortkey(paid_date) }};

-- known.orders: one row per order version (the fulfillment fact, attributed at
-- purchase, with its items' recognized margin; lags and milestone flags are
-- computed from the timestamps when read). Narrow: it changes at every
-- milestone of the order's life.
create table if not exists known.orders (
    order_id varchar(256) not null, order_ts timestamp not null, order_date date not null,
    customer_id varchar(256) not null, revenue_state varchar(16) not null,
    segment varchar(256), state varchar(256), city varchar(256), country varchar(256),
    item_count integer not null, unit_count bigint not null,
    net_revenue {{ total_decimal }} not null, recognized_revenue {{ total_decimal }} not null, recognized_margin {{ total_decimal }},
    first_paid_at timestamp, first_shipped_at timestamp, delivered_at timestamp,
    known_from bigint not null, known_to bigint
) {{ distkey(order_id) }} {{ sortkey(order_date) }};

-- known.daily_figures: the published figures, one row per (business date,
-- measure, slice) version; a change to an existing one is a restatement.
create table if not exists known.daily_figures (
    business_date date not null, measure varchar(32) not null,
    slice_kind varchar(32) not null, slice_value varchar(256) not null,
    figure_value {{ total_decimal }} not null,
    known_from bigint not null, known_to bigint
) {{ diststyle_all }} {{ sortkey(business_date) }};

-- audit.restatements: each figure a load changed after an earlier load had
-- published it (old and new value), and audit.restatement_causes: the change
-- rows behind it per cause: how many (orders or items of the figure's day, with
-- the first and last key) and what they moved; a product or customer change,
-- which moves many days, has a row of its own per key.
create table if not exists audit.restatements (
    load_seq bigint not null, run_id varchar(64) not null, batch_id varchar(64) not null,
    business_date date not null, measure varchar(32) not null,
    slice_kind varchar(32) not null, slice_value varchar(256) not null,
    old_value {{ total_decimal }} not null, new_value {{ total_decimal }} not null,
    published_by_load bigint not null
) {{ diststyle_all }} {{ sortkey(load_seq, business_date) }};

create table if not exists audit.restatement_causes (
    load_seq bigint not null, business_date date not null, measure varchar(32) not null,
    slice_kind varchar(32) not null, slice_value varchar(256) not null,
    cause varchar(32) not null, change_rows bigint not null,
    first_key varchar(512) not null, last_key varchar(512) not null,
    amount {{ total_decimal }} not null
) {{ diststyle_all }} {{ sortkey(load_seq, business_date) }};

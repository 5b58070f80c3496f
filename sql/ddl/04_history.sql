-- history.*: what the warehouse must remember so that the final star schema is
-- a function of the set of source rows, whatever their batching and order.

-- Every distinct change row each batch brought for a dimension key (grain: key,
-- updated_at, row_hash, batch_id: a row two batches both sent is kept for each, so
-- that withdrawing one batch's rows leaves the other's). Collapsed versions alone
-- would lose rows that a later, earlier-dated change makes visible again.
create table if not exists history.customer_changes (
    customer_id varchar(256) not null, updated_at timestamp not null,
    email varchar(256), first_name varchar(256), last_name varchar(256), city varchar(256),
    state varchar(256), country varchar(256), segment varchar(256), is_deleted boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(customer_id) }} {{ sortkey(customer_id, updated_at) }};

create table if not exists history.product_changes (
    product_id varchar(256) not null, updated_at timestamp not null,
    sku varchar(256), name varchar(1024), category varchar(256), brand varchar(256),
    list_price decimal(18,4), unit_cost decimal(18,4), is_deleted boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(product_id) }} {{ sortkey(product_id, updated_at) }};

-- Every distinct record each batch brought for a fact source (grain: key, version,
-- row_hash, batch_id), the records the latest ones below are derived from: a
-- forced re-run withdraws its batch's records and derives the latest record again
-- for the keys they had, from what the other batches brought.
create table if not exists history.order_changes (
    order_id varchar(256) not null, customer_id varchar(256) not null, order_ts timestamp not null,
    updated_at timestamp not null, status varchar(256), currency varchar(16),
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

create table if not exists history.order_item_changes (
    order_id varchar(256) not null, line_number bigint not null, product_id varchar(256) not null,
    quantity bigint not null, unit_price decimal(18,4) not null, updated_at timestamp not null,
    discount_amount decimal(18,4), shipping_amount decimal(18,4), is_deleted boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

create table if not exists history.payment_changes (
    payment_id varchar(256) not null, order_id varchar(256) not null, payment_method varchar(256) not null,
    amount decimal(18,4) not null, paid_at timestamp not null, updated_at timestamp,
    version_ts timestamp not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(payment_id) }} {{ sortkey(payment_id) }};

create table if not exists history.shipment_changes (
    shipment_id varchar(256) not null, order_id varchar(256) not null, status varchar(256) not null,
    updated_at timestamp not null, carrier varchar(256), shipped_at timestamp, delivered_at timestamp,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(shipment_id) }} {{ sortkey(shipment_id) }};

-- The dimension members each batch referenced (grain: batch_id, entity, natural_key):
-- customers of its orders, products of its order items, codes of its payment methods
-- and shipment statuses. A key referenced by no batch and sent by none leaves its
-- dimension; a referenced key never sent is an inferred member.
create table if not exists history.dimension_references (
    batch_id varchar(64) not null, entity varchar(32) not null, natural_key varchar(256) not null
) {{ distkey(natural_key) }} {{ sortkey(entity, natural_key) }};

-- The latest record per key of the fact sources (grain: the source key), tombstones
-- included: an older record arriving late never overwrites a newer one.
create table if not exists history.orders (
    order_id varchar(256) not null, customer_id varchar(256) not null, order_ts timestamp not null,
    updated_at timestamp not null, status varchar(256), currency varchar(16),
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

create table if not exists history.order_items (
    order_id varchar(256) not null, line_number bigint not null, product_id varchar(256) not null,
    quantity bigint not null, unit_price decimal(18,4) not null, updated_at timestamp not null,
    discount_amount decimal(18,4), shipping_amount decimal(18,4), is_deleted boolean not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

create table if not exists history.payments (
    payment_id varchar(256) not null, order_id varchar(256) not null, payment_method varchar(256) not null,
    amount decimal(18,4) not null, paid_at timestamp not null, updated_at timestamp,
    version_ts timestamp not null,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

create table if not exists history.shipments (
    shipment_id varchar(256) not null, order_id varchar(256) not null, status varchar(256) not null,
    updated_at timestamp not null, carrier varchar(256), shipped_at timestamp, delivered_at timestamp,
    row_hash varchar(32) not null, batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

-- The latest child records (live order items, payments, shipments) whose order has
-- not arrived (grain: source_table, source_key; an item's key is order_id || '#' ||
-- line_number, 256 + 1 + 9 bytes at most). sql/history/waiting_rows.sql keeps
-- it in step with the batch, so the waiting_rows test reads the few waiting rows
-- instead of matching the whole history against history.orders.
create table if not exists history.waiting_rows (
    source_table varchar(32) not null, order_id varchar(256) not null, source_key varchar(266) not null,
    batch_id varchar(64) not null
) {{ distkey(order_id) }} {{ sortkey(order_id) }};

-- Hand-overs between the steps of one batch, kept per batch until it is done
-- (MarkBatchDone removes them in the transaction that marks the batch done), so
-- that any step of an unfinished batch can run again, alone or after a crash, and
-- find what the steps before it handed over. An attempt only ever adds to them.

-- The dimension keys whose history the batch changed, and from which instant
-- (BuildDimensions -> BuildFacts, which re-points their facts). A later attempt
-- finds the dimensions already updated, so it could not recompute them.
create table if not exists history.batch_changed_keys (
    batch_id varchar(64) not null, entity varchar(32) not null, natural_key varchar(256) not null,
    changed_from timestamp not null
) {{ distkey(natural_key) }} {{ sortkey(batch_id, natural_key) }};

-- The dimension versions (surrogate keys) the batch created: VersionsCreated.
create table if not exists history.batch_created_versions (
    batch_id varchar(64) not null, entity varchar(32) not null, surrogate_key bigint not null
) {{ diststyle_all }};

-- The orders whose facts the batch rebuilt (BuildFacts -> ValidateBatch, which tests them).
create table if not exists history.batch_affected_orders (
    batch_id varchar(64) not null, order_id varchar(256) not null
) {{ distkey(order_id) }} {{ sortkey(batch_id, order_id) }};

-- Of those, the orders whose items the batch may have changed beyond their order's
-- own row (BuildFacts -> BuildMarts, which re-derives only their items for the
-- reports): items, payments, dimension history or withdrawn records touched them.
-- An order the batch touched only through its order row or shipments keeps its
-- items' reported values unless its date, customer or revenue state moved, which
-- BuildMarts reads from the order's own diff.
create table if not exists history.batch_item_orders (
    batch_id varchar(64) not null, order_id varchar(256) not null
) {{ distkey(order_id) }} {{ sortkey(batch_id, order_id) }};

-- Which batch and run the staging tables hold (LoadStaging -> the steps that read them).
create table if not exists staging.loaded_batch (
    batch_id varchar(64) not null, run_id varchar(64) not null
);

-- The scratch hand-overs these replace (one set for whichever batch ran last).
drop table if exists staging.changed_dimension_keys;

drop table if exists staging.affected_orders;

-- audit.batches: the ledger, one row per batch (status running | done | failed).
create table if not exists audit.batches (
    batch_id varchar(64) not null,
    status varchar(16) not null,
    run_id varchar(64) not null,
    attempts integer not null,
    started_at timestamp not null,
    finished_at timestamp,
    error varchar(4096)
) {{ diststyle_all }};

-- audit.table_loads: one row per batch and source table: conservation of rows.
create table if not exists audit.table_loads (
    batch_id varchar(64) not null,
    table_name varchar(32) not null,
    run_id varchar(64) not null,
    files integer not null,
    unreadable_files integer not null,
    raw_rows bigint not null,
    silver_rows bigint not null,
    quarantined_rows bigint not null,
    staged_rows bigint not null,
    extra_columns varchar(1024),
    reject_reasons varchar(4096),
    loaded_at timestamp not null
) {{ diststyle_all }};

-- audit.runs: one row per successful run of a batch, with its summary figures.
create table if not exists audit.runs (
    run_id varchar(64) not null,
    batch_id varchar(64) not null,
    finished_at timestamp not null,
    versions_created bigint,
    fact_rows_upserted bigint,
    tests_passed integer,
    tests_warned integer,
    tests_failed integer
) {{ diststyle_all }};

-- audit.test_results: one row per data-quality test per run.
create table if not exists audit.test_results (
    run_id varchar(64) not null,
    batch_id varchar(64),
    test_name varchar(128) not null,
    model varchar(64) not null,
    severity varchar(8) not null,
    status varchar(8) not null,
    failing_rows bigint not null,
    sample_keys varchar(1024),
    tested_at timestamp not null
) {{ diststyle_all }};

-- audit.alerts: one row per failed run (the local alert sink; SNS in the cloud).
create table if not exists audit.alerts (
    run_id varchar(64),
    batch_id varchar(64),
    raised_at timestamp not null,
    error_name varchar(128) not null,
    message varchar(4096) not null
) {{ diststyle_all }};

-- audit.warnings: data conditions worth a look that do not fail a run
-- (e.g. two different rows for one key and one updated_at).
create table if not exists audit.warnings (
    batch_id varchar(64) not null,
    run_id varchar(64) not null,
    kind varchar(64) not null,
    model varchar(64) not null,
    natural_key varchar(256) not null,
    detail varchar(1024),
    recorded_at timestamp not null
) {{ diststyle_all }};

-- audit.metrics: the figures the Lambda steps emit as CloudWatch metrics.
create table if not exists audit.metrics (
    run_id varchar(64) not null,
    batch_id varchar(64),
    step varchar(64) not null,
    table_name varchar(32),
    metric varchar(64) not null,
    metric_value double precision not null,
    unit varchar(16) not null,
    recorded_at timestamp not null
) {{ diststyle_all }};

-- audit.backfills: the backfills (functions/core/steps/bootstrap.ts) that have run; each
-- commits with its row, so a crash in between runs it again rather than never.
create table if not exists audit.backfills (
    backfill_name varchar(128) not null,
    finished_at timestamp not null
) {{ diststyle_all }};

-- audit.warehouse_version: the hash of the SQL the warehouse was last bootstrapped
-- from; while it matches, the bootstrap (every file in sql/ddl and sql/seeds) is skipped.
create table if not exists audit.warehouse_version (
    version varchar(64) not null,
    built_at timestamp not null
) {{ diststyle_all }};

-- audit.batch_files: the raw files each batch was last processed from (grain:
-- batch_id, file_path): size, SHA-256 of the content, and the change token (size
-- and mtime locally, size and ETag on S3) that says when the content must be read
-- again. Every run reports a done batch whose files no longer match.
create table if not exists audit.batch_files (
    batch_id varchar(64) not null,
    table_name varchar(32) not null,
    file_path varchar(1024) not null,
    size_bytes bigint not null,
    change_token varchar(256) not null,
    content_hash varchar(64) not null,
    run_id varchar(64) not null,
    recorded_at timestamp not null
) {{ diststyle_all }};

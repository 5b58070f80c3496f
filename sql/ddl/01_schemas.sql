-- The warehouse's schemas: staging (the batch being loaded), history (every
-- change ever received, what makes runs order-independent), dw (the star
-- schema users query) and audit (ledger, test results, alerts, metrics).
create schema if not exists staging;
create schema if not exists history;
create schema if not exists dw;
create schema if not exists audit;

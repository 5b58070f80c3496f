-- Macros shared by the Olist mapping. Variables set by importOlist.ts first:
--   olist_timestamp_format  the format of every Olist timestamp (sourceFiles.ts)

-- An Olist timestamp (local wall-clock time, no zone), or NULL when empty or unparseable.
create or replace macro olist_ts(s) as
    try_strptime(s, getvariable('olist_timestamp_format'));

-- A timestamp as the contract writes it: ISO-8601 without an offset.
create or replace macro iso_ts(ts) as
    strftime(ts, '%Y-%m-%dT%H:%M:%S');

-- The batch a row goes to: the month of its order's purchase, e.g. 2017-11.
create or replace macro batch_of(ts) as
    strftime(ts, '%Y-%m');

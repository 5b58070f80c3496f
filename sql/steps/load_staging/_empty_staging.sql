-- LoadStaging, per source table: staging holds one batch at a time, so the
-- table is emptied before the batch's silver rows are copied in (whether the
-- batch has the table or not: a table it lacks must not keep another batch's rows).
delete from staging.{{ $table }};
